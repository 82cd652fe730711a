import { asBuffer } from "./byte-source";

const strictDecoder = new TextDecoder("utf-8", { fatal: true });
const lossyDecoder = new TextDecoder("utf-8");

/** Decodes UTF-8, or returns undefined when the bytes are not valid UTF-8. A leading BOM is dropped. */
export function decodeUtf8Strict(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Decodes UTF-8 replacing invalid sequences with U+FFFD; for previews of bytes that failed strict decoding. */
export function decodeUtf8Lossy(bytes: Uint8Array): string {
  return lossyDecoder.decode(bytes);
}

export function toBase64(bytes: Uint8Array): string {
  return asBuffer(bytes).toString("base64");
}

/** True when the bytes are only ASCII whitespace (such records are skipped, not dead-lettered). */
export function isBlank(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return false;
  }
  return true;
}
