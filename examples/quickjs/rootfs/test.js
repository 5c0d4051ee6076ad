// A tour of the language and of qjs's std and os modules, for the QuickJS unikernel: every
// line it prints must be what the same interpreter prints on Linux.
import * as std from "qjs:std";
import * as os from "qjs:os";

const squares = Array.from({ length: 10 }, (_, i) => i * i);
console.log("squares", squares.join(","));
console.log("json", JSON.stringify({ a: 1, b: [1, 2, 3], c: { d: "x" } }));

class Point {
  constructor(x, y) { this.x = x; this.y = y; }
  get length() { return Math.hypot(this.x, this.y); }
  toString() { return `(${this.x}, ${this.y})`; }
}
console.log("class", String(new Point(3, 4)), new Point(3, 4).length);

const words = "the quick brown fox jumps over the lazy dog".split(" ");
const counts = new Map();
for (const w of words) counts.set(w.length, (counts.get(w.length) ?? 0) + 1);
console.log("map", [...counts.entries()].sort((a, b) => a[0] - b[0]).map(e => e.join(":")).join(" "));
console.log("regexp", "2024-01-15".replace(/(\d+)-(\d+)-(\d+)/, "$3/$2/$1"), /o(\w)/g[Symbol.replace]("foo bob", "<$1>"));
console.log("bigint", 2n ** 100n, (123456789n * 987654321n).toString(16));
console.log("numbers", (1234.5678).toFixed(2), (0.1 + 0.2).toPrecision(17), Number.parseFloat("3.5e3"), Math.trunc(-4.7));
console.log("date", new Date(Date.UTC(2020, 1, 29, 12, 30)).toISOString());

function* fibonacci() { let [a, b] = [0, 1]; for (;;) { yield a; [a, b] = [b, a + b]; } }
const fib = [];
for (const n of fibonacci()) { if (fib.length === 15) break; fib.push(n); }
console.log("generator", fib.join(" "));

const tagged = (strings, ...values) => strings.raw.map((s, i) => s + (values[i] ?? "")).join("");
console.log("template", tagged`a${1}b${2}c`);
console.log("destructure", (({ x, y: [first, ...rest] }) => `${x} ${first} ${rest}`)({ x: 1, y: [2, 3, 4] }));

const typed = new Float64Array([1.5, 2.5, 3.5]);
console.log("typed", typed.reduce((s, v) => s + v, 0), new Uint8Array([255, 256, 257]).join(","));

std.printf("%s %d %5.2f\n", "printf", 42, Math.PI);
os.mkdir("scratch");
for (const name of ["b.txt", "a.txt"]) {
  const file = std.open(`scratch/${name}`, "w");
  file.puts(`line one of ${name}\nline two\n`);
  file.close();
}
console.log("file", std.loadFile("scratch/a.txt").split("\n").filter(Boolean).reverse().join(" | "));
const [entries] = os.readdir("scratch");
console.log("readdir", entries.filter(e => !e.startsWith(".")).sort().join(" "));
for (const name of entries.filter(e => !e.startsWith("."))) os.remove(`scratch/${name}`);
console.log("cleaned up", os.remove("scratch") === 0);

const order = [];
Promise.resolve().then(() => order.push("microtask"));
order.push("sync");
async function later() { await null; order.push("async"); return order.join(" > "); }
later().then(v => console.log("promises", v));
os.setTimeout(() => console.log("timer", "fired after 20 ms"), 20);
try { null.x; } catch (e) { console.log("error", e instanceof TypeError, e.message); }
