-- A workout for the Lua interpreter: its output must be identical on Linux and as a unikernel.

-- strings
local s = "Hello, unikernel world"
print(s:upper(), s:lower(), #s, s:sub(8, 16), s:rep(2, "|"))
print(s:find("uni"), s:match("(%a+) world"), (s:gsub("o", "0")))
for word in s:gmatch("%a+") do io.write("[", word, "]") end
io.write("\n")
print(string.format("%5d|%-5d|%05.1f|%x|%X|%o|%e|%g|%q|%s|%%", 42, 42, 3.14159, 255, 255, 8, 12345.678, 0.0001, "a\nb", nil))
print(string.format("%.14g %.3f %10.4f %-10s|", math.pi, -2.5, 1/3, "left"))
print(("%s=%d"):format("x", 7), string.byte("A"), string.char(72, 105), ("abc"):reverse())
print(utf8.char(72, 228, 8364, 128512), utf8.len("häé€"))

-- tables
local t = {}
for i = 1, 10 do t[i] = i * i end
print(#t, table.concat(t, ","), table.unpack(t, 1, 3))
table.insert(t, 1, 0); table.remove(t); table.sort(t, function(a, b) return a > b end)
print(table.concat(t, " "))
local fruits = { banana = 3, apple = 1, cherry = 2 }
local names = {}
for k in pairs(fruits) do names[#names + 1] = k end
table.sort(names)
for _, k in ipairs(names) do io.write(k, "=", fruits[k], " ") end
io.write("\n")
local mt = setmetatable({}, { __index = function(_, k) return k .. "!" end,
  __add = function(a, b) return "added" end, __tostring = function() return "<mt>" end })
print(mt.hello, mt + mt, tostring(mt))

-- closures
local function counter()
  local n = 0
  return function(step) n = n + (step or 1); return n end
end
local c1, c2 = counter(), counter()
c1(); c1(5); c2()
print("closures", c1(), c2(10))
local function compose(f, g) return function(...) return f(g(...)) end end
print(compose(function(x) return x * 2 end, function(x, y) return x + y end)(3, 4))

-- coroutines
local gen = coroutine.wrap(function(a, b)
  for i = a, b do coroutine.yield(i * 10) end
  return "done"
end)
print(gen(1, 3), gen(), gen(), gen())
local co = coroutine.create(function(x)
  local y = coroutine.yield(x + 1)
  local z = coroutine.yield(y * 2)
  return z .. "!"
end)
print(coroutine.resume(co, 1)); print(coroutine.resume(co, 5)); print(coroutine.resume(co, "end"))
print(coroutine.status(co), coroutine.resume(co))

-- math
print(math.floor(3.7), math.ceil(3.2), math.max(1, 9, 4), math.min(2, -1), math.abs(-7))
print(math.sqrt(2), math.sin(1), math.cos(1), math.exp(1), math.log(10), math.log(8, 2))
print(math.huge, -math.huge, math.maxinteger, math.mininteger, 7 // 2, 7 % 3, 2 ^ 10, 7 / 2)
print(math.tointeger(3.0), math.type(1), math.type(1.0), math.fmod(7, 3), 1e300 * 1e10)
math.randomseed(42)
local r = {}
for i = 1, 5 do r[i] = math.random(1, 100) end
print("random", table.concat(r, ","))

-- errors
print(pcall(error, { code = 1 }), select("#", pcall(error)))
print(pcall(function() local x = nil; return x.field end))
print(select(2, xpcall(function() error("boom", 0) end, function(m) return "handled " .. m end)))

-- io: files in the initrd and in /tmp
local f = assert(io.open("data/words.txt"))
local words = {}
for line in f:lines() do words[#words + 1] = line end
f:close()
print("words", #words, table.concat(words, "+"))
local out = assert(io.open("/tmp/lua-out.txt", "w"))
for i = 1, 3 do out:write("line ", i, "\n") end
out:close()
local back = assert(io.open("/tmp/lua-out.txt", "r"))
print((back:read("a"):gsub("\n", ";")))
print(back:seek("set", 5), back:read("l"), back:seek("end"))
back:close()
print(os.remove("/tmp/lua-out.txt"), io.open("/tmp/lua-out.txt"))
print(io.open("/no/such/file"))

-- os
print("os.time sane", os.time() > 1700000000, os.date("!%Y-%m-%d %H:%M:%S", 86400 * 365))
print(os.time({ year = 2000, month = 1, day = 1, hour = 12 }), type(os.clock()), os.getenv("NO_SUCH_VARIABLE"))

-- a little work: primes and a string builder
local sieve, primes = {}, {}
for i = 2, 2000 do
  if not sieve[i] then primes[#primes + 1] = i; for j = i * i, 2000, i do sieve[j] = true end end
end
print("primes", #primes, primes[#primes])
local parts = {}
for i = 1, 1000 do parts[#parts + 1] = string.format("%03d", i % 997) end
local big = table.concat(parts)
print(#big, big:sub(1, 12), collectgarbage("count") > 0)
io.write("goodbye\n")
