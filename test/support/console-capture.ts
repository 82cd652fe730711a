/**
 * The lines a test's commands print (console.log → `out`, console.error → `errors`), captured afresh for each test of
 * the file or describe block that calls this, and restored after it.
 */
export function captureConsole(): { readonly out: string[]; readonly errors: string[] } {
  const captured = { out: [] as string[], errors: [] as string[] };
  beforeEach(() => {
    captured.out.length = 0;
    captured.errors.length = 0;
    jest.spyOn(console, "log").mockImplementation((...args: unknown[]) => void captured.out.push(args.join(" ")));
    jest.spyOn(console, "error").mockImplementation((...args: unknown[]) => void captured.errors.push(args.join(" ")));
  });
  afterEach(() => jest.restoreAllMocks());
  return captured;
}
