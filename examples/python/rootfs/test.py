# A tour of CPython on a unikernel: the language, the standard library's pure-Python and
# built-in modules, files, threads, a timer signal, the environment, arguments and stdin.
import base64, collections, dataclasses, datetime, decimal, fractions, hashlib, heapq
import itertools, json, math, os, queue, random, re, signal, socket, statistics, struct
import sys, tempfile, textwrap, threading, time, unicodedata

print(sys.version.split()[0], sys.platform, sys.argv[1:])
print(json.dumps({"a": [1, 2, round(math.pi, 5)], "b": None, "c": "é"}, sort_keys=True))
print(re.sub(r"(\d+)", lambda m: str(int(m.group(1)) * 2), "a1b22c333"))
print(hashlib.sha256(b"abc").hexdigest()[:16], hashlib.md5(b"abc").hexdigest()[:8],
      base64.b64encode(b"unikernel").decode())
print(datetime.date(2024, 2, 29).isoformat(), datetime.datetime(1971, 1, 1) + datetime.timedelta(days=40))
random.seed(42)
print([random.randint(1, 100) for _ in range(5)], statistics.mean([1, 2, 3, 4.5]))
print(sorted(collections.Counter("mississippi").items()))
print(decimal.Decimal("1.1") + decimal.Decimal("2.2"), fractions.Fraction(3, 4) + fractions.Fraction(1, 6))
print(unicodedata.name("é"), "straße".upper(), textwrap.shorten("the quick brown fox jumps", 15))


def fib():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b


print(list(itertools.islice(fib(), 15)))


@dataclasses.dataclass(order=True)
class Shape:
    sides: int
    name: str = "?"


print(sorted([Shape(3, "triangle"), Shape(1), Shape(4, "square")]))
print(heapq.nsmallest(3, [5, 1, 8, 3, 9, 2]), struct.pack("<IHb", 1, 2, -3).hex())
print(sum(i * i for i in range(100000)), f"{2**100:,}")
try:
    {}["missing"]
except KeyError as e:
    print("caught", type(e).__name__, e)

with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "notes.txt")
    with open(path, "w") as f:
        f.write("line\n" * 3)
    os.makedirs(os.path.join(d, "sub", "deeper"))
    os.rename(path, os.path.join(d, "sub", "moved.txt"))
    print(sorted(os.listdir(os.path.join(d, "sub"))), os.path.getsize(os.path.join(d, "sub", "moved.txt")))

results = queue.Queue()
lock = threading.Lock()
total = [0]


def worker(n):
    time.sleep(0.01 * n)
    for _ in range(1000):
        with lock:
            total[0] += 1
    results.put(n * n)


threads = [threading.Thread(target=worker, args=(i,)) for i in range(5)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sorted(results.get() for _ in range(5)), total[0])

fired = []
signal.signal(signal.SIGALRM, lambda number, frame: fired.append(number))
signal.setitimer(signal.ITIMER_REAL, 0.05)
time.sleep(1)
print("alarm fired:", fired == [signal.SIGALRM])

a, b = socket.socketpair()
a.sendall(b"ping")
print(b.recv(4))
print(os.environ.get("GREETING"), os.environ.get("MISSING", "-"))
print(datetime.datetime(2024, 7, 1, 12, tzinfo=datetime.timezone.utc).astimezone(
    datetime.timezone(datetime.timedelta(hours=2))).isoformat())
for line in sys.stdin:
    print("stdin:", line.strip().upper())
print("bye")
