import * as fs from "fs";

/**
 * Preloaded with `node --require dist/bench/peak-rss.js <script>`: at exit, writes the process's peak resident set
 * size in MB to the file named by ROX_PEAK_RSS_FILE, so a benchmark can measure a command exactly as a user runs it.
 */
const file = process.env.ROX_PEAK_RSS_FILE;
if (file) {
  process.on("exit", () => fs.writeFileSync(file, String(Math.round(process.resourceUsage().maxRSS / 1024))));
}
