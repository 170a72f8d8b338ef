/**
 * FLAC decoding with @wasm-audio-decoders/flac (libFLAC compiled to WebAssembly, maintained as
 * part of the wasm-audio-decoders project). Its output is float per channel, scaled by
 * 1/2^(bits − 1) like our PCM WAV reading.
 */
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { AudioDecodeError } from './errors.ts';

export interface DecodedFlac {
  channelData: Float32Array[];
  sampleRateHz: number;
  bitsPerSample: number;
  frameCount: number;
  warnings: string[];
}

export async function decodeFlacBytes(bytes: Uint8Array, fileName: string): Promise<DecodedFlac> {
  const decoder = new FLACDecoder();
  try {
    await decoder.ready;
    const result = await decoder.decodeFile(bytes);
    const warnings = result.errors.map((e) => `FLAC frame error: ${e.message}`);
    if (result.samplesDecoded === 0 || result.channelData.length === 0) {
      throw new AudioDecodeError(fileName, `the FLAC stream holds no decodable audio${warnings.length ? ` (${warnings[0]})` : ''}`);
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
