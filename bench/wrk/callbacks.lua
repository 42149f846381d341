-- wrk script: posts validly signed CSS callbacks with unique sequences.
-- Environment: T and SIGN (one signature: sign = md5(key + t) covers no body), MODE (push | interrupt |
-- half-duplicates), RUN (a prefix that keeps sequences unique across runs), DELAY_MS (per connection, for a
-- fixed rate; 0 = flat out). Prints one JSON line of results at the end.
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  t = os.getenv("T")
  sign = os.getenv("SIGN")
  mode = os.getenv("MODE") or "push"
  run = os.getenv("RUN") or tostring(os.time())
  pause = tonumber(os.getenv("DELAY_MS") or "0")
  n = 0
  ok = 0
  other = 0
  earlier = {}
end

function delay()
  return pause
end

local errcodes = {12, 13, 5, 19, 18, 8}

request = function()
  n = n + 1
  local sequence = run .. string.format("%03d%09d", id, n)
  local body
  if mode == "interrupt" then
    body = string.format('{"app":"bench.example.com","appid":12345678,"appname":"live","channel_id":"s%s",' ..
      '"errcode":%d,"errmsg":"bench","event_time":%d,"event_type":0,"height":0,"idc_id":34,"node":"42.81.194.37",' ..
      '"push_duration":"128581","sequence":"%s","set_id":2,"stream_id":"s%s","stream_param":"","t":%s,' ..
      '"user_ip":"1.1.1.1","width":0,"sign":"%s"}', sequence, errcodes[(n % #errcodes) + 1], os.time(), sequence,
      sequence, t, sign)
  else
    -- every other request repeats one sent 501 requests earlier: a retry of an event long confirmed, as the
    -- provider's retries come a minute apart (a repeat sent while the first is in flight publishes twice)
    if mode == "half-duplicates" and n % 2 == 0 and earlier[n - 501] ~= nil then
      sequence = earlier[n - 501]
      earlier[n - 501] = nil
    else
      earlier[n] = sequence
    end
    body = string.format('{"app":"bench.example.com","appid":12345678,"appname":"live","channel_id":"s%s",' ..
      '"errcode":0,"errmsg":"ok","event_time":%d,"event_type":1,"height":0,"idc_id":34,"node":"42.81.194.37",' ..
      '"sequence":"%s","set_id":2,"stream_id":"s%s","stream_param":"stream_param=test","t":%s,' ..
      '"user_ip":"1.1.1.1","width":0,"sign":"%s"}', sequence, os.time(), sequence, sequence, t, sign)
  end
  return wrk.format("POST", "/callbacks/tencent/css", {["Content-Type"] = "application/json"}, body)
end

response = function(status, headers, body)
  if status == 200 then ok = ok + 1 else other = other + 1 end
end

done = function(summary, latency, requests)
  local answered200, failed = 0, 0
  for _, thread in ipairs(threads) do
    answered200 = answered200 + thread:get("ok")
    failed = failed + thread:get("other")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format('RESULT {"requests":%d,"seconds":%.2f,"rps":%.1f,"ok":%d,"not_ok":%d,' ..
    '"errors":%d,"p50_ms":%.2f,"p99_ms":%.2f,"p999_ms":%.2f,"max_ms":%.2f}\n',
    summary.requests, seconds, summary.requests / seconds, answered200, failed,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    latency.max / 1000))
end
