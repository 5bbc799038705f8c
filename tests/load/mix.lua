-- tests/load/mix.lua -- the request mix of the load test (tests/load/run.sh).
--
-- Environment (set by run.sh):
--   JX_LOAD_DOCS    directory holding 1.json .. N.json, scoring documents
--   JX_LOAD_NDOCS   N
--   JX_LOAD_TOKEN   a bearer token (the bootstrap admin token)
--
-- Every request is pre-formatted in init(); request() picks one by weight.
-- response() counts statuses per thread; done() sums them over the threads
-- and prints "JXLOAD key value" lines that run.sh parses.

local weighted = {}   -- { {weight, name, request-string}, ... }
local total_weight = 0

local only = os.getenv("JX_LOAD_ONLY")   -- one kind of request only (for diagnosis)

local function add(weight, name, req)
   if only and only ~= "" and only ~= name then return end
   total_weight = total_weight + weight
   weighted[#weighted + 1] = { total_weight, name, req }
end

local function read_file(path)
   local f = assert(io.open(path, "rb"))
   local s = f:read("*a")
   f:close()
   return s
end

function init(args)
   local dir = os.getenv("JX_LOAD_DOCS")
   local n = tonumber(os.getenv("JX_LOAD_NDOCS") or "0")
   local auth = { ["Authorization"] = "Bearer " .. (os.getenv("JX_LOAD_TOKEN") or "") }
   local json = { ["Content-Type"] = "application/json" }

   -- stateless scoring: half the load, spread over the fixture documents
   for i = 1, n do
      add(50 / n, "score", wrk.format("POST", "/v1/score", json, read_file(dir .. "/" .. i .. ".json")))
   end
   -- probes and an authenticated read that touches the database
   add(15, "healthz", wrk.format("GET", "/healthz"))
   add(15, "readyz", wrk.format("GET", "/readyz"))
   add(20, "whoami", wrk.format("GET", "/v1/whoami", auth))

   ---------------------------------------------------------------------------
   -- PROJECT READS / WRITES AND EVALUATIONS GO HERE.
   -- Reads of stored projects and evaluations can be pre-formatted like the
   -- lines above (ids prepared by run.sh before wrk starts, passed in the
   -- environment).  Writes need a unique project name per request (409
   -- otherwise): build them in request() instead, e.g.
   --   wrk.format("POST", "/v1/projects", unit_auth_json, body_with_name(counter))
   -- and weigh them with add() so the mix stays a realistic share of each.
   ---------------------------------------------------------------------------

   counts = { s2 = 0, s3 = 0, s4 = 0, s5 = 0, other = 0 }
   first_bad = ""
end

function request()
   local r = math.random() * total_weight
   for i = 1, #weighted do
      if r <= weighted[i][1] then
         return weighted[i][3]
      end
   end
   return weighted[#weighted][3]
end

function response(status, headers, body)
   if status >= 200 and status < 300 then counts.s2 = counts.s2 + 1
   elseif status < 400 then counts.s3 = counts.s3 + 1
   elseif status < 500 then counts.s4 = counts.s4 + 1
   elseif status < 600 then counts.s5 = counts.s5 + 1
   else counts.other = counts.other + 1 end
   if (status < 200 or status >= 300) and first_bad == "" then
      first_bad = status .. " " .. string.sub(body or "", 1, 200):gsub("\n", " ")
   end
end

local threads = {}

function setup(thread)
   threads[#threads + 1] = thread
end

function done(summary, latency, requests)
   local t = { s2 = 0, s3 = 0, s4 = 0, s5 = 0, other = 0 }
   local bad = ""
   for _, thread in ipairs(threads) do
      local c = thread:get("counts")
      for k, v in pairs(c) do t[k] = t[k] + v end
      local b = thread:get("first_bad")
      if bad == "" and b and b ~= "" then bad = b end
   end
   local e = summary.errors
   local secs = summary.duration / 1e6
   io.write(string.format("JXLOAD requests %d\n", summary.requests))
   io.write(string.format("JXLOAD seconds %.2f\n", secs))
   io.write(string.format("JXLOAD rps %.1f\n", summary.requests / secs))
   io.write(string.format("JXLOAD status_2xx %d\nJXLOAD status_3xx %d\nJXLOAD status_4xx %d\n",
                          t.s2, t.s3, t.s4))
   io.write(string.format("JXLOAD status_5xx %d\nJXLOAD status_other %d\n", t.s5, t.other))
   io.write(string.format("JXLOAD err_connect %d\nJXLOAD err_read %d\nJXLOAD err_write %d\n",
                          e.connect, e.read, e.write))
   io.write(string.format("JXLOAD err_status %d\nJXLOAD err_timeout %d\n", e.status, e.timeout))
   io.write(string.format("JXLOAD p50_ms %.2f\nJXLOAD p90_ms %.2f\nJXLOAD max_ms %.2f\n",
                          latency:percentile(50) / 1000, latency:percentile(90) / 1000,
                          latency.max / 1000))
   io.write(string.format("JXLOAD mean_ms %.2f\n", latency.mean / 1000))
   if bad ~= "" then io.write("JXLOAD first_bad " .. bad .. "\n") end
end
