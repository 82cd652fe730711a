/**
 * Loads an ES-module-only package (hyparquet, hyparquet-compressors) synchronously: Node >= 20.19 lets require()
 * load ES modules, and jest transforms those packages to CommonJS (jest.config.js).
 */
export function requireEsm<T>(specifier: string): T {
  return require(specifier) as T;
}
