// Lints snippets as if they were files of the project (stdin: [{ file, code }]); prints, for each, the rule ids it
// breaks. Run in a child process by house-rules.test.ts: the flat config is an ES module, which jest cannot import.
import { ESLint } from "eslint";

const cases = JSON.parse(
  await new Promise((resolve) => {
    let text = "";
    process.stdin.on("data", (chunk) => (text += chunk)).on("end", () => resolve(text));
  }),
);
const eslint = new ESLint({ cwd: process.cwd() });
const results = [];
for (const { file, code } of cases) {
  const [result] = await eslint.lintText(code, { filePath: file });
  results.push(result.messages.map((m) => m.ruleId ?? m.message));
}
process.stdout.write(JSON.stringify(results));
