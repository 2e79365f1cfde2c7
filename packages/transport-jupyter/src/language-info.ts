// What kernel_info_reply says about each language a kernelkit kernel serves.
import { JUPYTER_PROTOCOL_VERSION } from "./wire.ts";

export interface LanguageInfo {
  name: string;
  version: string;
  mimetype: string;
  file_extension: string;
  codemirror_mode: string | Record<string, unknown>;
  pygments_lexer: string;
}

export function languageInfo(language: string, pythonVersion?: string): LanguageInfo {
  switch (language) {
    case "typescript":
      return {
        name: "typescript",
        version: "5",
        mimetype: "text/typescript",
        file_extension: ".ts",
        codemirror_mode: { name: "javascript", typescript: true },
        pygments_lexer: "typescript",
      };
    case "python":
      return {
        name: "python",
        version: pythonVersion ?? "3",
        mimetype: "text/x-python",
        file_extension: ".py",
        codemirror_mode: { name: "ipython", version: 3 },
        pygments_lexer: "ipython3",
      };
    default:
      return {
        name: "javascript",
        version: process.versions.v8,
        mimetype: "text/javascript",
        file_extension: ".js",
        codemirror_mode: "javascript",
        pygments_lexer: "javascript",
      };
  }
}

export function helpLinks(language: string): { text: string; url: string }[] {
  const links = [{ text: "kernelkit", url: "https://github.com/kernelkit/kernelkit#readme" }];
  if (language === "python") links.push({ text: "Python", url: "https://docs.python.org/3/" });
  else if (language === "typescript")
    links.push({ text: "TypeScript", url: "https://www.typescriptlang.org/docs/" });
  else links.push({ text: "JavaScript (MDN)", url: "https://developer.mozilla.org/docs/Web/JavaScript" });
  links.push({ text: "Node.js", url: "https://nodejs.org/docs/latest-v20.x/api/" });
  return links;
}

export function banner(language: string, implementationVersion: string): string {
  const name = language === "python" ? "Python" : language === "typescript" ? "TypeScript" : "JavaScript";
  return `kernelkit ${implementationVersion} — ${name} on Node.js ${process.version}\nReactive cells when config says mode: "reactive"; sequential (like ipykernel) otherwise.`;
}

/** The kernel_info_reply's content: the same whether the early bind (early.ts) or the transport answers. */
export function kernelInfoContent(language: string, implementationVersion: string): Record<string, unknown> {
  return {
    status: "ok",
    protocol_version: JUPYTER_PROTOCOL_VERSION,
    implementation: "kernelkit",
    implementation_version: implementationVersion,
    language_info: languageInfo(language),
    banner: banner(language, implementationVersion),
    help_links: helpLinks(language),
    debugger: false,
  };
}
