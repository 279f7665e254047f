/** A tiny XML parser for tests, enough to prove junit.xml and the SVGs are well-formed and to walk them. */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

function decodeEntities(s: string): string {
  if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(s)) throw new Error(`bare & in ${JSON.stringify(s)}`);
  return s.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
    if (named[e]) return named[e];
    return String.fromCodePoint(e.startsWith("#x") ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

export function parseXml(xml: string): XmlElement {
  let i = 0;
  const skip = () => {
    for (;;) {
      const ws = /^\s*/.exec(xml.slice(i))![0].length;
      i += ws;
      if (xml.startsWith("<?", i)) i = xml.indexOf("?>", i) + 2;
      else if (xml.startsWith("<!--", i)) i = xml.indexOf("-->", i) + 3;
      else return;
    }
  };
  const element = (): XmlElement => {
    const open = /^<([A-Za-z_][\w.:-]*)/.exec(xml.slice(i));
    if (!open) throw new Error(`expected an element at ${i}: ${xml.slice(i, i + 30)}`);
    i += open[0].length;
    const node: XmlElement = { name: open[1]!, attributes: {}, children: [], text: "" };
    for (;;) {
      const attr = /^\s+([A-Za-z_][\w.:-]*)="([^"<]*)"/.exec(xml.slice(i));
      if (!attr) break;
      if (attr[1]! in node.attributes) throw new Error(`duplicate attribute ${attr[1]}`);
      node.attributes[attr[1]!] = decodeEntities(attr[2]!);
      i += attr[0].length;
    }
    const end = /^\s*(\/?)>/.exec(xml.slice(i));
    if (!end) throw new Error(`malformed tag <${node.name}> at ${i}: ${xml.slice(i, i + 30)}`);
    i += end[0].length;
    if (end[1] === "/") return node;
    for (;;) {
      const lt = xml.indexOf("<", i);
      if (lt < 0) throw new Error(`unclosed <${node.name}>`);
      node.text += decodeEntities(xml.slice(i, lt));
      i = lt;
      if (xml.startsWith(`</${node.name}>`, i)) {
        i += node.name.length + 3;
        return node;
      }
      if (xml.startsWith("</", i)) throw new Error(`mismatched close tag at ${i} inside <${node.name}>: ${xml.slice(i, i + 30)}`);
      node.children.push(element());
    }
  };
  skip();
  const root = element();
  skip();
  if (i !== xml.length) throw new Error(`trailing content at ${i}`);
  return root;
}

export function all(node: XmlElement, name: string): XmlElement[] {
  return node.children.flatMap((c) => [...(c.name === name ? [c] : []), ...all(c, name)]);
}
