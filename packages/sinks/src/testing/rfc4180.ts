// A strict RFC 4180 parser for tests, written independently of the CSV writer. It rejects what a
// lenient parser would guess at: a quote inside an unquoted field, text after a closing quote,
// an unterminated quoted field, a bare CR, mixed line endings and rows with the wrong field count.
// Each field is reported with whether it was quoted, so `""` and an empty field stay distinct.

export interface CsvField {
  readonly text: string;
  readonly quoted: boolean;
}

export function parseCsvStrict(input: string, eol: '\r\n' | '\n'): CsvField[][] {
  const records: CsvField[][] = [];
  let record: CsvField[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`invalid CSV at offset ${i}: ${why}`);
  };
  if (input === '') return records;
  if (!input.endsWith(eol)) fail('the last record is not terminated');
  while (i < input.length) {
    let text = '';
    let quoted = false;
    if (input[i] === '"') {
      quoted = true;
      i++;
      for (;;) {
        if (i >= input.length) fail('unterminated quoted field');
        const c = input[i]!;
        if (c === '"') {
          if (input[i + 1] === '"') {
            text += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else {
          text += c;
          i++;
        }
      }
    } else {
      while (i < input.length && input[i] !== ',' && !input.startsWith(eol, i)) {
        const c = input[i]!;
        if (c === '"') fail('quote in an unquoted field');
        if (c === '\r' || c === '\n') fail('bare line break in an unquoted field');
        text += c;
        i++;
      }
    }
    record.push({ text, quoted });
    if (input[i] === ',') {
      i++;
    } else if (input.startsWith(eol, i)) {
      i += eol.length;
      records.push(record);
      record = [];
    } else {
      fail(`unexpected character ${JSON.stringify(input[i])} after a field`);
    }
  }
  const width = records[0]?.length ?? 0;
  records.forEach((r, n) => {
    if (r.length !== width)
      throw new Error(`invalid CSV: record ${n} has ${r.length} fields, expected ${width}`);
  });
  return records;
}
