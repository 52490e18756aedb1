/** `--help` for the benchmarks: prints the usage and exits before any measurement starts. */
export function exitWithUsageIfAsked(usage: string): void {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(usage.endsWith('\n') ? usage : `${usage}\n`);
    process.exit(0);
  }
}
