/**
 * FLAC decoding with @wasm-audio-decoders/flac (libFLAC compiled to WebAssembly, maintained as
 * part of the wasm-audio-decoders project). Its output is float per channel, scaled by
 * 1/2^(bits − 1) like our PCM WAV reading.
 */
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import CodecParser, { type CodecFrame, type FLACHeader } from 'codec-parser';
import { AudioDecodeError } from './errors.ts';
import { checkDecodedLength, type DecodeLimits } from './limits.ts';

export interface DecodedFlac {
  channelData: Float32Array[];
  sampleRateHz: number;
  bitsPerSample: number;
  frameCount: number;
  warnings: string[];
}

/**
 * Decodes a FLAC file. The frames are found first (codec-parser, as the library itself does in
 * decodeFile) and their sample counts checked against `limits` before libFLAC allocates anything.
 */
export async function decodeFlacBytes(
  bytes: Uint8Array,
  fileName: string,
  limits: DecodeLimits = {},
): Promise<DecodedFlac> {
  const decoder = new FLACDecoder();
  try {
    await decoder.ready;
    // The library prints every frame error to the console as well as returning it; we report
    // them ourselves. Parsing and decoding run synchronously inside these calls, so the filter is
    // only installed for them.
    const restoreConsole = dropLibraryConsoleMessages();
    let pending: ReturnType<typeof decoder.decodeFrames>;
    try {
      const frames = new CodecParser<CodecFrame>('audio/flac', { enableFrameCRC32: false }).parseAll(bytes);
      let samples = 0;
      let channels = 1;
      let rateHz = 0;
      for (const f of frames) {
        samples += f.samples;
        const header = f.header as FLACHeader;
        channels = Math.max(channels, header.channels);
        rateHz ||= header.sampleRate;
      }
      if (rateHz > 0) checkDecodedLength(fileName, samples, channels, rateHz, limits);
      pending = decoder.decodeFrames(frames.map((f) => f.data));
    } finally {
      restoreConsole();
    }
    const result = await pending;
    const warnings = result.errors.map((e) => `FLAC frame error: ${e.message}`);
    if (result.samplesDecoded === 0 || result.channelData.length === 0) {
      throw new AudioDecodeError(
        fileName,
        `the FLAC stream holds no decodable audio${warnings.length ? ` (${warnings[0]})` : ''}`,
      );
    }
    return {
      channelData: result.channelData,
      sampleRateHz: result.sampleRate,
      bitsPerSample: result.bitDepth,
      frameCount: result.samplesDecoded,
      warnings,
    };
  } catch (e) {
    if (e instanceof AudioDecodeError) throw e;
    throw new AudioDecodeError(fileName, `corrupt FLAC data: ${(e as Error).message}`);
  } finally {
    decoder.free();
  }
}

function dropLibraryConsoleMessages(): () => void {
  const { error, warn } = console;
  const fromLibrary = (args: unknown[]): boolean =>
    typeof args[0] === 'string' && /@wasm-audio-decoders|codec-parser/.test(args[0]);
  console.error = (...args: unknown[]) => {
    if (!fromLibrary(args)) error.apply(console, args);
  };
  console.warn = (...args: unknown[]) => {
    if (!fromLibrary(args)) warn.apply(console, args);
  };
  return () => {
    console.error = error;
    console.warn = warn;
  };
}
