// natural's submodules have no type declarations of their own; bugcat imports the
// submodules it needs rather than natural's index (which is slow and prints dotenv notices).
declare module 'natural/lib/natural/tokenizers/regexp_tokenizer.js' {
  export class RegexpTokenizer {
    constructor(options: { pattern: RegExp; gaps?: boolean; discardEmpty?: boolean });
    tokenize(text: string): string[] | null;
  }
}
declare module 'natural/lib/natural/stemmers/porter_stemmer.js' {
  const PorterStemmer: { stem(token: string): string };
  export default PorterStemmer;
}
declare module 'natural/lib/natural/util/stopwords.js' {
  export const words: string[];
}
// picomatch ships no type declarations: the part bugcat uses (base/globs.ts).
declare module 'picomatch' {
  interface PicomatchOptions {
    bash?: boolean;
    dot?: boolean;
    nocase?: boolean;
  }
  function picomatch(glob: string | readonly string[], options?: PicomatchOptions): (input: string) => boolean;
  namespace picomatch {
    function makeRe(glob: string, options?: PicomatchOptions): RegExp;
  }
  export default picomatch;
}
