-- wrk script for scripts/bench-sandbox.sh: POST /prepare_payment with a
-- valid body for the sandbox's default shop; every request carries its own
-- shop_transaction_id ("b-<run>-<thread>-<n>", the run tag given after
-- `--`), so each one creates a payment.
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  n = 0
  run = args[1] or "0"
end

local head = '{"octo_shop_id":10000,"octo_secret":"sandbox-secret-2d45df74",'
  .. '"shop_transaction_id":"b-%s-%d-%d","auto_capture":true,"test":true,'
  .. '"init_time":"2024-05-02 09:17:00","total_sum":1000.50,"currency":"UZS",'
  .. '"description":"Two yoghurts","return_url":"https://shop.example/orders/done",'
  .. '"language":"en","ttl":15}'

local headers = { ["Content-Type"] = "application/json" }

function request()
  n = n + 1
  return wrk.format("POST", "/prepare_payment", headers, string.format(head, run, tid, n))
end
