/** A made-up but plausible BSE equity universe: codes, names, ISINs, groups and price bands. */
import type { Scrip } from '../bhavcopy/types.js';
import type { Random } from './random.js';

// prettier-ignore
const FIRST_WORDS = [
  'Aarti', 'Abhinav', 'Aditya', 'Agarwal', 'Ajanta', 'Akash', 'Alok', 'Amar', 'Ambika', 'Anand', 'Apollo', 'Arihant',
  'Arvind', 'Ashoka', 'Balaji', 'Bharat', 'Bhagwati', 'Chambal', 'Deccan', 'Dhanlaxmi', 'Durga', 'Eastern', 'Ganesh',
  'Garware', 'Gayatri', 'Godavari', 'Gujarat', 'Hind', 'Indo', 'Jai', 'Jyoti', 'Kalyani', 'Kaveri', 'Kesar', 'Kirloskar',
  'Lakshmi', 'Madhav', 'Mahalaxmi', 'Malabar', 'Mangalam', 'Meghna', 'Narmada', 'Navbharat', 'Nilkanth', 'Omkar',
  'Orient', 'Padmavati', 'Parag', 'Pioneer', 'Prabhat', 'Prakash', 'Rajshree', 'Ramco', 'Sagar', 'Sahyadri', 'Sanghvi',
  'Saraswati', 'Shivalik', 'Shree', 'Siddhi', 'Sree', 'Sunrise', 'Surya', 'Swastik', 'Tirupati', 'Triveni', 'Udaipur',
  'Unique', 'Uttam', 'Vardhman', 'Vasudha', 'Vijay', 'Vindhya', 'Vishal', 'Western', 'Yamuna', 'Zenith',
];
// prettier-ignore
const SECOND_WORDS = [
  'Agro', 'Alloys', 'Auto Components', 'Biotech', 'Cables', 'Capital', 'Castings', 'Cements', 'Ceramics', 'Chemicals',
  'Commercial', 'Constructions', 'Cotspin', 'Dyes', 'Electricals', 'Engineering', 'Exports', 'Fabrics', 'Fertilisers',
  'Finance', 'Finvest', 'Foods', 'Forgings', 'Glass', 'Granites', 'Healthcare', 'Hotels', 'Industries', 'Infotech',
  'Infra', 'Investments', 'Jewellers', 'Laboratories', 'Leasing', 'Logistics', 'Metals', 'Mills', 'Minerals',
  'Organics', 'Packaging', 'Paper', 'Pharma', 'Pipes', 'Plastics', 'Polymers', 'Power', 'Projects', 'Realty',
  'Refractories', 'Software', 'Spinners', 'Steel', 'Sugar', 'Syntex', 'Technologies', 'Textiles', 'Tubes', 'Ventures',
];
const SUFFIXES = ['Ltd', 'Ltd', 'Ltd', 'Limited', 'India Ltd', 'Enterprises Ltd', '(India) Ltd'];

/** BSE groups with rough shares of the listed universe, and the price bands each group tends to get. */
const GROUPS: readonly { group: string; weight: number; bands: readonly (2 | 5 | 10 | 20)[] }[] = [
  { group: 'A', weight: 0.1, bands: [20, 20, 20, 10] },
  { group: 'B', weight: 0.38, bands: [20, 20, 10, 10, 5] },
  { group: 'T', weight: 0.1, bands: [5, 5, 10, 2] },
  { group: 'X', weight: 0.22, bands: [20, 10, 10, 5, 5] },
  { group: 'XT', weight: 0.08, bands: [5, 5, 2] },
  { group: 'Z', weight: 0.06, bands: [5, 5, 2] },
  { group: 'M', weight: 0.04, bands: [5, 10, 20] },
  { group: 'MT', weight: 0.02, bands: [5, 2] },
];

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** ISO 6166 check digit: letters become two-digit numbers (A = 10), then the Luhn sum over the digit string. */
export function isinCheckDigit(body: string): number {
  let digits = '';
  for (const ch of body) digits += String(ALNUM.indexOf(ch));
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export const BSE_CODE_MIN = 500000;
export const BSE_CODE_MAX = 544999;

export function generateScrips(random: Random, count: number): Scrip[] {
  const codes = new Set<number>();
  const names = new Set<string>();
  const issuers = new Set<string>();
  const groupWeights = GROUPS.map((g) => g.weight);
  const scrips: Scrip[] = [];
  while (scrips.length < count) {
    const bseCode = random.int(BSE_CODE_MIN, BSE_CODE_MAX);
    if (codes.has(bseCode)) continue;
    codes.add(bseCode);

    let name = `${random.pick(FIRST_WORDS)} ${random.pick(SECOND_WORDS)} ${random.pick(SUFFIXES)}`;
    // Two companies may not share a name; a numeral is how real registries tell near-namesakes apart too.
    for (let n = 2; names.has(name); n++) name = `${name.replace(/ \d+$/, '')} ${n}`;
    names.add(name);

    // INE + 4-character issuer code + '01' (equity shares) + 2-digit serial + check digit.
    const drawIssuer = (): string => {
      let code = '';
      for (let k = 0; k < 4; k++) code += ALNUM[random.int(0, ALNUM.length - 1)]!;
      return code;
    };
    let issuer = drawIssuer();
    while (issuers.has(issuer)) issuer = drawIssuer();
    issuers.add(issuer);
    const body = `INE${issuer}01${String(random.int(1, 3)).padStart(2, '0')}`;
    const isin = `${body}${isinCheckDigit(body)}`;

    const spec = GROUPS[random.weightedIndex(groupWeights)]!;
    scrips.push({ bseCode, name, isin, group: spec.group, priceBandPct: random.pick(spec.bands) });
  }
  return scrips.sort((a, b) => a.bseCode - b.bseCode);
}
