-- tests/load/mix.lua -- the request mix of the load test (tests/load/run.sh).
--
-- Environment (set by run.sh):
--   JX_LOAD_DOCS    directory holding 1.json .. N.json, scoring documents
--   JX_LOAD_NDOCS   N
--   JX_LOAD_TOKEN   a bearer token (the bootstrap admin token)
--   JX_LOAD_UNIT_TOKEN, JX_LOAD_PROJECT_IDS (a file, one id a line),
--   JX_LOAD_PROJECT_BODY (a file: a project body named __NAME__),
--   JX_LOAD_RUN     projects, prepared by setup_projects.py
--
-- Every request is pre-formatted in init(), except project writes, which
-- need a new name each (409 otherwise) and are built in request();
-- request() picks one by weight.
-- response() counts statuses per thread; done() sums them over the threads
-- and prints "JXLOAD key value" lines that run.sh parses.

local weighted = {}   -- { {weight, name, request-string}, ... }
local total_weight = 0

local only = os.getenv("JX_LOAD_ONLY")   -- one kind of request only (for diagnosis)

local function add(weight, name, req)   -- req: a string, or a function making one
   if only and only ~= "" and only ~= name then return end
   total_weight = total_weight + weight
   weighted[#weighted + 1] = { total_weight, name, req }
end

local function lines(path)
   local out = {}
   for l in io.lines(path) do
      if l ~= "" then out[#out + 1] = l end
   end
   return out
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
   -- Projects, as a unit files them: reads of stored projects (ids prepared
   -- by setup_projects.py), pages of the list, and new projects (a name of
   -- their own each, with an Idempotency-Key as a retrying client sends).
   -- EVALUATIONS GO HERE too once they exist.
   ---------------------------------------------------------------------------
   local ids_file = os.getenv("JX_LOAD_PROJECT_IDS")
   if ids_file and ids_file ~= "" then
      local unit = { ["Authorization"] = "Bearer " .. os.getenv("JX_LOAD_UNIT_TOKEN") }
      local unit_json = { ["Authorization"] = unit["Authorization"],
                          ["Content-Type"] = "application/json" }
      local ids = lines(ids_file)
      for _, id in ipairs(ids) do
         add(15 / #ids, "project_get", wrk.format("GET", "/v1/projects/" .. id, unit))
      end
      add(5, "project_list", wrk.format("GET", "/v1/projects?limit=20", unit))
      local template = read_file(os.getenv("JX_LOAD_PROJECT_BODY"))
      local a, b = string.find(template, "__NAME__", 1, true)
      local run = os.getenv("JX_LOAD_RUN") or "0"
      local seq = 0
      add(5, "project_create", function()
         seq = seq + 1
         local name = "负载-" .. run .. "-" .. tid .. "-" .. seq
         unit_json["Idempotency-Key"] = "load-" .. run .. "-" .. tid .. "-" .. seq
         return wrk.format("POST", "/v1/projects", unit_json,
                           string.sub(template, 1, a - 1) .. name .. string.sub(template, b + 1))
      end)
   end

   counts = { s2 = 0, s3 = 0, s4 = 0, s5 = 0, other = 0, created = 0 }
   sent = {}
   first_bad = ""
end

local function pick(w)
   sent[w[2]] = (sent[w[2]] or 0) + 1
   if type(w[3]) == "function" then return w[3]() end
   return w[3]
end

function request()
   local r = math.random() * total_weight
   for i = 1, #weighted do
      if r <= weighted[i][1] then
         return pick(weighted[i])
      end
   end
   return pick(weighted[#weighted])
end

function response(status, headers, body)
   if status == 201 then counts.created = counts.created + 1 end
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
   thread:set("tid", #threads)
end

function done(summary, latency, requests)
   local t = { s2 = 0, s3 = 0, s4 = 0, s5 = 0, other = 0, created = 0 }
   local kinds = {}
   local bad = ""
   for _, thread in ipairs(threads) do
      local c = thread:get("counts")
      for k, v in pairs(c) do t[k] = t[k] + v end
      for k, v in pairs(thread:get("sent")) do kinds[k] = (kinds[k] or 0) + v end
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
   io.write(string.format("JXLOAD created_2xx %d\n", t.created))
   for k, v in pairs(kinds) do io.write(string.format("JXLOAD %s %d\n", k, v)) end
   if bad ~= "" then io.write("JXLOAD first_bad " .. bad .. "\n") end
end
