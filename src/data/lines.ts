// Lines of text from a stream of decoded chunks, one at a time (a big file is never
// held whole). "\n" ends a line, a "\r" before it is part of the newline; a last line
// without a newline still counts. Shared by Node (fs streams) and the page (File.stream()).

export async function* splitLines(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of chunks) {
    let start = 0;
    let nl = chunk.indexOf('\n');
    while (nl >= 0) {
      yield stripCr(rest + chunk.slice(start, nl));
      rest = '';
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
    }
    rest += chunk.slice(start);
  }
  if (rest !== '') yield stripCr(rest);
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** The chunks of a Blob (a File in the page) decoded as UTF-8. */
export async function* blobChunks(blob: Blob): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const reader = blob.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    yield decoder.decode(value, { stream: true });
  }
  yield decoder.decode();
}
