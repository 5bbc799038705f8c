-- tests/load/mix.lua -- the request mix of the load test (tests/load/run.sh).
--
-- Environment (set by run.sh; the files are written by setup_projects.py):
--   JX_LOAD_DOCS    directory holding 1.json .. N.json, scoring documents
--   JX_LOAD_NDOCS   N
--   JX_LOAD_TOKEN   a bearer token (the bootstrap admin token)
--   JX_LOAD_UNIT_TOKEN, JX_LOAD_FINANCE_TOKEN   the unit's and the bureau's
--   JX_LOAD_PROJECT_IDS, JX_LOAD_EVALUATION_IDS  files, one id a line
--   JX_LOAD_WRITE_PROJECTS  a file, "project_id indicator_id version" a line
--   JX_LOAD_PROJECT_BODY    a file: a project body named __NAME__
--   JX_LOAD_THREADS wrk's thread count; JX_LOAD_RUN a number for this run
--   JX_LOAD_ONLY    one kind of request only (for diagnosis)
--
-- The mix, in % of requests (the weights below add up to 100): stateless
-- scoring 30; probes and whoami 15; reads 43 (a project 22, a page of the
-- list 5, an evaluation 15, the bureau's totals 1); writes 8 (new projects
-- 3, PATCH of a project 2.5, PUT of its year-end results 2.5); evaluations
-- run 4.  Reads dominate, as in use; each write commits with synchronous
-- commit (~10x a read's cost), so the writes' share sets the req/s.
--
-- Requests are pre-formatted in init() except those that change: a new
-- project needs a name of its own (409 otherwise) and an Idempotency-Key;
-- a PATCH or results PUT needs If-Match with the project's version.  wrk
-- gives a script one state per thread, not per connection, and response()
-- does not say which request it answers, so: each thread owns its own
-- projects to change (at least one per connection of the thread, so one is
-- always free), marks one busy when it sends a change and frees it, with
-- the version from the answer's ETag, when the answer (a body naming that
-- project) comes back.  No two requests ever race for one version, so a
-- 412 is a failure like any other non-2xx.  (wrk calls request() once
-- before the run to check it; that one is never sent and keeps its project
-- busy: the reason for the spare projects.)
-- response() counts statuses per thread; done() sums them over the threads
-- and prints "JXLOAD key value" lines that run.sh parses, and each changed
-- project's last acknowledged version ("JXLOAD_VERSION id version") for
-- run.sh to compare with the database.

local weighted = {}   -- { {cumulative weight, name, request-string or function}, ... }
local total_weight = 0

local only = os.getenv("JX_LOAD_ONLY")

local function add(weight, name, req)
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

local function spread(weight, name, list, make)   -- one weight over many requests
   for _, v in ipairs(list) do add(weight / #list, name, make(v)) end
end

-- this thread's projects to change: entries { id, indicator, version, busy }
local own = {}
local by_name = {}        -- "负载-改-<index>" index -> entry
local free = {}           -- stack of entries not waiting for an answer
local NAME_PREFIX = "负载-改-"

-- "id version busy;..." for done(), which reads it through thread:get (a
-- string: this wrk crashes when a thread's global holds nested tables)
own_versions = ""
local function export()
   local out = {}
   for _, e in ipairs(own) do out[#out + 1] = e.id .. " " .. e.version .. " " .. (e.busy and 1 or 0) end
   own_versions = table.concat(out, ";")
end

local function take()
   local e = table.remove(free)
   if e then e.busy = true; export() end
   return e
end

function init(args)
   local dir = os.getenv("JX_LOAD_DOCS")
   local n = tonumber(os.getenv("JX_LOAD_NDOCS") or "0")
   local auth = { ["Authorization"] = "Bearer " .. (os.getenv("JX_LOAD_TOKEN") or "") }
   local json = { ["Content-Type"] = "application/json", ["Authorization"] = auth["Authorization"] }

   -- stateless scoring (behind a token), spread over the fixture documents
   for i = 1, n do
      add(30 / n, "score", wrk.format("POST", "/v1/score", json, read_file(dir .. "/" .. i .. ".json")))
   end
   -- probes and an authenticated read that touches the database
   add(5, "healthz", wrk.format("GET", "/healthz"))
   add(5, "readyz", wrk.format("GET", "/readyz"))
   add(5, "whoami", wrk.format("GET", "/v1/whoami", auth))

   local ids_file = os.getenv("JX_LOAD_PROJECT_IDS")
   if not ids_file or ids_file == "" then
      counts = { s2 = 0, s3 = 0, s4 = 0, s5 = 0, other = 0, created = 0, evaluated = 0, changed = 0 }
      sent = {}
      first_bad = ""
      return
   end
   local unit = { ["Authorization"] = "Bearer " .. os.getenv("JX_LOAD_UNIT_TOKEN") }
   local finance = { ["Authorization"] = "Bearer " .. os.getenv("JX_LOAD_FINANCE_TOKEN") }
   local unit_json = { ["Authorization"] = unit["Authorization"],
                       ["Content-Type"] = "application/json" }
   local run = os.getenv("JX_LOAD_RUN") or "0"

   -- reads: stored projects, a page of the list, stored evaluations, and the
   -- bureau's totals of the year (drafts included: they are what changes;
   -- pulled rarely, and ~70 ms each even on this small database: planning
   -- and running the country-scale statement)
   local ids = lines(ids_file)
   spread(22, "project_get", ids, function(id) return wrk.format("GET", "/v1/projects/" .. id, unit) end)
   add(5, "project_list", wrk.format("GET", "/v1/projects?limit=20", unit))
   spread(15, "evaluation_get", lines(os.getenv("JX_LOAD_EVALUATION_IDS")),
          function(id) return wrk.format("GET", "/v1/evaluations/" .. id, unit) end)
   add(1, "totals", wrk.format("GET", "/v1/totals?year=2022&status=all&group_by=unit,grade", finance))

   -- evaluations: score a stored project now, store the evaluation (many
   -- connections may evaluate one project at once: the server serialises
   -- them, none fails)
   spread(4, "evaluate", ids, function(id) return wrk.format("POST", "/v1/projects/" .. id .. "/evaluations", unit) end)

   -- new projects: a name of their own each, an Idempotency-Key as a
   -- retrying client sends
   local template = read_file(os.getenv("JX_LOAD_PROJECT_BODY"))
   local a, b = string.find(template, "__NAME__", 1, true)
   local seq = 0
   add(3, "project_create", function()
      seq = seq + 1
      local name = "负载-" .. run .. "-" .. tid .. "-" .. seq
      unit_json["Idempotency-Key"] = "load-" .. run .. "-" .. tid .. "-" .. seq
      local r = wrk.format("POST", "/v1/projects", unit_json,
                           string.sub(template, 1, a - 1) .. name .. string.sub(template, b + 1))
      unit_json["Idempotency-Key"] = nil
      return r
   end)

   -- changes with If-Match, on this thread's own projects
   local all = lines(os.getenv("JX_LOAD_WRITE_PROJECTS"))
   local nthreads = tonumber(os.getenv("JX_LOAD_THREADS") or "1")
   local per = math.floor(#all / nthreads)
   for i = (tid - 1) * per + 1, tid * per do
      local id, ind, ver = string.match(all[i], "^(%d+) (%d+) (%d+)$")
      local e = { id = tonumber(id), indicator = ind, version = tonumber(ver), busy = false }
      own[#own + 1] = e
      by_name[i - 1] = e           -- setup_projects.py named line i "负载-改-<i-1>"
      free[#free + 1] = e
   end
   export()
   local fallback = wrk.format("GET", "/v1/projects/" .. ids[1], unit)
   local patch_h = { ["Authorization"] = unit["Authorization"],
                     ["Content-Type"] = "application/merge-patch+json" }
   local put_h = unit_json
   local office = 0
   add(2.5, "project_patch", function()
      local e = take()
      if not e then sent.no_free = (sent.no_free or 0) + 1; return fallback end
      office = office + 1
      patch_h["If-Match"] = '"' .. e.version .. '"'
      return wrk.format("PATCH", "/v1/projects/" .. e.id, patch_h,
                        '{"supervising_office":"社保科' .. (office % 7) .. '"}')
   end)
   add(2.5, "project_results", function()
      local e = take()
      if not e then sent.no_free = (sent.no_free or 0) + 1; return fallback end
      office = office + 1
      put_h["If-Match"] = '"' .. e.version .. '"'
      local r = wrk.format("PUT", "/v1/projects/" .. e.id .. "/results", put_h,
                           '{"indicators":[{"id":' .. e.indicator .. ',"actual":"' .. (5 + office % 3) ..
                           '次","deviation_reason":null}],"reported":{"total":' .. (95 + office % 3) .. '}}')
      put_h["If-Match"] = nil
      return r
   end)

   counts = { s2 = 0, s3 = 0, s4 = 0, s5 = 0, other = 0, created = 0, evaluated = 0, changed = 0 }
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

-- An answer to a change names its project: free it, at the version the
-- ETag gives.
local function changed(headers, body)
   local etag = headers["ETag"] or headers["etag"]
   if not etag or not body then return end
   local s = string.find(body, NAME_PREFIX, 1, true)
   if not s then return end
   local idx = tonumber(string.match(body, "^(%d+)", s + #NAME_PREFIX))
   local id = tonumber(string.match(body, '^{"id": ?(%d+)'))
   local e = idx and by_name[idx]
   if not e or not e.busy or e.id ~= id then return end
   e.version = tonumber(string.match(etag, "(%d+)"))
   e.busy = false
   free[#free + 1] = e
   counts.changed = counts.changed + 1
   export()
end

function response(status, headers, body)
   if status == 201 then
      local loc = headers["Location"] or ""
      if string.find(loc, "/v1/evaluations/", 1, true) then counts.evaluated = counts.evaluated + 1
      else counts.created = counts.created + 1 end
   elseif status == 200 then
      changed(headers, body)
   end
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
   local t = { s2 = 0, s3 = 0, s4 = 0, s5 = 0, other = 0, created = 0, evaluated = 0, changed = 0 }
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
   io.write(string.format("JXLOAD created_2xx %d\nJXLOAD evaluated_2xx %d\nJXLOAD changed_2xx %d\n",
                          t.created, t.evaluated, t.changed))
   for k, v in pairs(kinds) do io.write(string.format("JXLOAD %s %d\n", k, v)) end
   for _, thread in ipairs(threads) do
      for v in string.gmatch(thread:get("own_versions") or "", "[^;]+") do
         io.write("JXLOAD_VERSION " .. v .. "\n")
      end
   end
   if bad ~= "" then io.write("JXLOAD first_bad " .. bad .. "\n") end
end
