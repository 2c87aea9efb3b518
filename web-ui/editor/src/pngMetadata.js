// The text chunks of a PNG (tEXt, and uncompressed iTXt), where Easel and ComfyUI keep "workflow" (UI format) and
// "prompt" (API format). Chunk splitting (with CRC checks) is png-chunks-extract's.
import extractChunks from 'png-chunks-extract'

const latin1 = new TextDecoder('latin1')
const utf8 = new TextDecoder('utf-8')

/** The text entries of a PNG's bytes, keyword → text; throws on bytes that are not a PNG. */
export function pngText(bytes) {
  const texts = {}
  for (const chunk of extractChunks(bytes)) {
    if (chunk.name === 'tEXt') {
      const nul = chunk.data.indexOf(0)
      texts[latin1.decode(chunk.data.subarray(0, nul))] = latin1.decode(chunk.data.subarray(nul + 1))
    } else if (chunk.name === 'iTXt') {
      const data = chunk.data
      const nul = data.indexOf(0)
      const keyword = latin1.decode(data.subarray(0, nul))
      if (data[nul + 1] !== 0) continue // compressed iTXt: not written by Easel or ComfyUI
      let at = data.indexOf(0, nul + 3) + 1 // language tag
      at = data.indexOf(0, at) + 1 // translated keyword
      texts[keyword] = utf8.decode(data.subarray(at))
    }
  }
  return texts
}

/** The UI workflow in a PNG's metadata, or null ({prompt} alone, API format, is returned as {apiPrompt}). */
export function workflowFromPng(bytes) {
  const texts = pngText(bytes)
  if (texts.workflow) return { workflow: JSON.parse(texts.workflow) }
  if (texts.prompt) return { apiPrompt: JSON.parse(texts.prompt) }
  return null
}
