-- A workout for the Lua interpreter linked by tests/real_program.rs. Every line of output is
-- deterministic, so the outputs of the ukl-linked and the ld-linked interpreter must be equal.
-- The script ends with os.exit(3) to check that the exit status comes through as well.

local out = io.write

-- Strings and formatting
local greeting = "Hello, " .. "unikernel" .. "!"
print(greeting, #greeting, greeting:upper(), greeting:lower(), greeting:rep(2, "|"))
print(string.format("%5d|%-5d|%05d|%x|%X|%o|%c", 42, 42, 42, 255, 255, 8, 65))
print(string.format("%.3f %.0f %10.4f %-10.2f| %e %g %g %g", math.pi, 2.5, -1 / 3, 1e3, 12345.678, 1e20, 0.1, 100))
print(string.format("%q %s %10s %-10s|", "a\nb\"c\0", true, "right", "left"))
print(string.format("%.14g %.17g %a", 0.1 + 0.2, 1 / 3, 1.0))
print(("x"):byte(), string.char(72, 105), ("abc"):reverse(), ("  trim  "):match("^%s*(.-)%s*$"))
print(tostring(1e15), tostring(1e16), tostring(-0.0), tostring(1 / 0), tostring(-1 / 0), 2 ^ 53, 7 // 2, 7.0 // 2)
print(math.tointeger(3.0), math.type(1), math.type(1.0), math.type("1"), 10 / 2, 3 % -2, -3 % 2, 5.5 % 2)
print(math.maxinteger, math.mininteger, math.maxinteger + 1 == math.mininteger, 1 << 62, 0xff ~ 0x0f, ~0, 256 >> 4)
print(tonumber("0x1p4"), tonumber("  12  "), tonumber("z", 36), tonumber("1e2"), tonumber("abc"), 10 == 10.0)

-- String patterns
local text = "The quick brown fox jumps over the lazy dog in 2024 at 10:45"
for word in text:gmatch("%a+") do out(word:sub(1, 2), " ") end
out("\n")
print(text:find("fox"), text:find("o", 20, true), text:match("(%d+):(%d+)"))
print((text:gsub("%w+", function(w) return #w > 4 and w:upper() or nil end)))
print(("hello world"):gsub("o", { o = "0" }), ("abc"):gsub("", "-"), ("key=val; k2=v2"):gsub("(%w+)=(%w+)", "%2=%1"))
print(("[[nested]]"):match("%[(%b[])%]"), ("f(a(b)c)d"):match("%b()"), ("THE (quick) fox"):find("%f[%a]%a+%f[%A]", 5))
local dates = {}
for y, m, d in ("2024-01-15, 1999-12-31, 2000-02-29"):gmatch("(%d+)-(%d+)-(%d+)") do
  dates[#dates + 1] = string.format("%s/%s/%s", d, m, y)
end
print(table.concat(dates, " "))
print(utf8.char(72, 228, 8364, 128512), utf8.len("häll€"), #utf8.char(128512))
for p, c in utf8.codes("aé€") do out(p, ":", c, " ") end
out("\n")

-- Tables
local t = {}
for i = 1, 20 do t[i] = (i * 37) % 23 end
print(#t, table.concat(t, ","))
table.sort(t)
print(table.concat(t, ","))
table.sort(t, function(a, b) return a > b end)
print(table.concat(t, ","))
local people = {
  { name = "ada", age = 36 }, { name = "alan", age = 41 }, { name = "grace", age = 85 },
  { name = "edsger", age = 72 }, { name = "barbara", age = 41 }, { name = "donald", age = 41 },
}
table.sort(people, function(a, b)
  if a.age ~= b.age then return a.age < b.age end
  return a.name < b.name
end)
for _, p in ipairs(people) do out(p.name, "=", p.age, " ") end
out("\n")
table.insert(t, 1, 100)
table.insert(t, 200)
print(table.remove(t), table.remove(t, 1), #t, table.unpack({ 1, 2, 3 }))
print(select("#", nil, nil), select(2, "a", "b", "c"), table.pack(1, nil, 3).n)
print(table.concat(table.move({ 1, 2, 3, 4, 5 }, 2, 4, 1), ","))
local keys = {}
local map = { alpha = 1, beta = 2, gamma = 3, delta = 4, [10] = "ten", [2.5] = "float" }
for k in pairs(map) do keys[#keys + 1] = tostring(k) end
table.sort(keys)
print(table.concat(keys, " "))
local big = {}
for i = 1, 10000 do big[i] = i * i end
local sum = 0
for _, v in ipairs(big) do sum = sum + v end
print("sum of squares", sum)

-- Metatables
local Vector = {}
Vector.__index = Vector
function Vector.new(x, y) return setmetatable({ x = x, y = y }, Vector) end
function Vector.__add(a, b) return Vector.new(a.x + b.x, a.y + b.y) end
function Vector.__eq(a, b) return a.x == b.x and a.y == b.y end
function Vector.__tostring(v) return string.format("(%g, %g)", v.x, v.y) end
function Vector.__len(v) return math.sqrt(v.x * v.x + v.y * v.y) end
function Vector:scale(k) return Vector.new(self.x * k, self.y * k) end
local v = Vector.new(3, 4) + Vector.new(0.5, -1)
print(tostring(v), #Vector.new(3, 4), v == Vector.new(3.5, 3), tostring(v:scale(2)))
local defaults = setmetatable({}, { __index = function(_, k) return k .. "?" end })
print(defaults.missing, rawget(defaults, "missing"))

-- Closures
local function counter(start)
  local n = start
  return function(step) n = n + (step or 1); return n end
end
local c1, c2 = counter(0), counter(100)
print(c1(), c1(5), c2(), c1(), c2(-50))
local adders = {}
for i = 1, 5 do adders[i] = function(x) return x + i end end
print(adders[1](10), adders[5](10))
local function memoize(f)
  local cache = {}
  return function(n)
    local r = cache[n]
    if r == nil then r = f(n); cache[n] = r end
    return r
  end
end
local fib
fib = memoize(function(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end)
print(fib(80), fib(90))
local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
print(fact(20), fact(25.0))

-- Coroutines
local function generator(n)
  return coroutine.wrap(function()
    for i = 1, n do coroutine.yield(i * i) end
    return "done"
  end)
end
local g = generator(5)
for _ = 1, 6 do out(tostring(g()), " ") end
out("\n")
local co = coroutine.create(function(a, b)
  local c = coroutine.yield(a + b)
  local d, e = coroutine.yield(c * 2)
  error("boom " .. tostring(d + e))
end)
print(coroutine.resume(co, 1, 2))
print(coroutine.resume(co, 10))
print(coroutine.resume(co, 3, 4))
print(coroutine.status(co), coroutine.isyieldable(), coroutine.resume(co))
local function producer()
  return coroutine.create(function()
    for _, item in ipairs({ "a", "b", "c" }) do coroutine.yield(item) end
  end)
end
local p = producer()
while true do
  local _, item = coroutine.resume(p)
  if item == nil then break end
  out("got ", item, "; ")
end
out("\n")

-- Error handling
print(type(select(2, pcall(function() error({ code = 42 }) end))))
print(select(2, pcall(function() error({ code = 42 }) end)).code)
print(pcall(error, "plain", 0))
print(pcall(function() local x = nil; return x.field end))
print(pcall(function() return 1 + {} end))
print(xpcall(function() error("deep") end, function(m) return "handled: " .. m end))
print(pcall(string.rep))
print(select(2, load("return +")))
print(load("return 6 * 7")())
local ok, err = pcall(function() error(setmetatable({}, { __tostring = function() return "custom" end })) end)
print(ok, tostring(err))
local closed = {}
do
  local _ <close> = setmetatable({}, { __close = function() closed[#closed + 1] = "closed" end })
end
print(closed[1])

-- goto
local i = 1
::top::
if i <= 3 then
  out("goto ", i, " ")
  i = i + 1
  goto top
end
for j = 1, 3 do
  for k = 1, 3 do
    if k == 2 then goto continue end
    out(j, k, " ")
    ::continue::
  end
end
out("\n")

-- Math
print(math.floor(3.7), math.ceil(3.2), math.floor(-3.5), math.abs(-7), math.max(1, 9, 3), math.min(4, -2))
print(string.format("%.10f %.10f %.10f %.10f", math.sin(1), math.cos(1), math.exp(1), math.log(10)))
print(string.format("%.10f %.10f %.10f", math.sqrt(2), math.log(8, 2), math.atan(1, 2)), math.fmod(7, 3), math.fmod(-7, 3))
print(math.ult(1, -1), math.huge > 0, -math.huge < 0, (0 / 0) ~= (0 / 0), math.modf(3.75))
math.randomseed(42)
local r = math.random(1, 100)
print(r >= 1 and r <= 100, math.random() < 1)
local primes, sieve = {}, {}
for n = 2, 200 do
  if not sieve[n] then
    primes[#primes + 1] = n
    for m = n * n, 200, n do sieve[m] = true end
  end
end
print(#primes, table.concat(primes, " ", 1, 20))
local acc = 0.0
for n = 1, 100000 do acc = acc + 1 / (n * n) end
print(string.format("basel %.12f", acc))

-- os and io (deterministic parts)
print(os.date("!%Y-%m-%d %H:%M:%S", 0), os.date("!%j %A %B", 86400 * 59))
local t1 = os.time({ year = 2024, month = 2, day = 28, hour = 12 })
local t2 = os.time({ year = 2024, month = 3, day = 1, hour = 12 })
print("leap days", (t2 - t1) // 86400, os.difftime(t2, t1))
local d = os.date("*t", t2)
print(d.year, d.month, d.day, d.hour, d.yday)
print(type(os.time()), type(os.clock()), os.getenv("UKL_SURELY_UNSET_VARIABLE"))
local name = os.tmpname()
local f = assert(io.open(name, "w"))
f:write("line one\n", 2, "\n", 3.5, "\nlast")
f:close()
for line in io.lines(name) do out("[", line, "]") end
out("\n")
f = assert(io.open(name, "r"))
print(f:read("l"), f:read("n"), f:read("n"), f:read("a"))
print(f:seek("set", 5), f:read(3), f:seek("end"))
f:close()
print(os.remove(name), io.open(name) == nil, select(2, io.open("/nonexistent/dir/file")))
io.stdout:write("written with io.stdout\n")

-- A small interpreter: evaluate arithmetic expressions with a recursive-descent parser.
local function evaluate(src)
  local pos = 1
  local function skip() pos = src:find("%S", pos) or #src + 1 end
  local expr
  local function atom()
    skip()
    local c = src:sub(pos, pos)
    if c == "(" then
      pos = pos + 1
      local v = expr()
      skip(); pos = pos + 1
      return v
    elseif c == "-" then
      pos = pos + 1
      return -atom()
    end
    local num = src:match("^%d+%.?%d*", pos)
    pos = pos + #num
    return tonumber(num)
  end
  local function term()
    local v = atom()
    while true do
      skip()
      local op = src:sub(pos, pos)
      if op == "*" then pos = pos + 1; v = v * atom()
      elseif op == "/" then pos = pos + 1; v = v / atom()
      else return v end
    end
  end
  function expr()
    local v = term()
    while true do
      skip()
      local op = src:sub(pos, pos)
      if op == "+" then pos = pos + 1; v = v + term()
      elseif op == "-" then pos = pos + 1; v = v - term()
      else return v end
    end
  end
  return expr()
end
for _, e in ipairs({ "1 + 2 * 3", "(1 + 2) * 3", "10 / 4 - -2", "2 * (3 + (4 - 1)) / 3" }) do
  print(e, "=", evaluate(e))
end

-- Garbage collection
local weak = setmetatable({}, { __mode = "k" })
do weak[{}] = true end
collectgarbage()
local n = 0
for _ in pairs(weak) do n = n + 1 end
print("weak entries after collect", n, collectgarbage("count") > 0)
local strs = {}
for k = 1, 2000 do strs[k] = string.rep(string.char(65 + k % 26), k % 50) end
print(#table.concat(strs))

print("end of lua-test")
os.exit(3)
