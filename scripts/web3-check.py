#!/usr/bin/env python3
"""Drives a running lassod with web3.py, the way a Python application would.

Start `lassod demo` first (no network needed), then:
    pip install web3            # once
    python3 scripts/web3-check.py [URL] [--ws]   # URL defaults to http://127.0.0.1:4000/rpc/ethereum

With --ws it also subscribes to newHeads over ws://…/ws/rpc/<chain> (the demo makes a block
every 12 s, so that part takes up to half a minute). Each check prints one line; the script
exits 1 on the first failure.
"""
import asyncio
import sys

from web3 import Web3
from web3.exceptions import ContractLogicError

ARGS = [arg for arg in sys.argv[1:] if arg != "--ws"]
URL = ARGS[0] if ARGS else "http://127.0.0.1:4000/rpc/ethereum"
REVERTING = Web3.to_checksum_address("0x0000000000000000000000000000000000000bad")
HOLDER = Web3.to_checksum_address("0x00000000000000000000000000000000000000a1")
w3 = Web3(Web3.HTTPProvider(URL, request_kwargs={"timeout": 10}))


def check(name, condition, detail):
    print(("ok   " if condition else "FAIL ") + name + ": " + str(detail))
    if not condition:
        sys.exit(1)


check("is_connected", w3.is_connected(), URL)
chain_id = w3.eth.chain_id
check("eth_chainId", isinstance(chain_id, int) and chain_id > 0, chain_id)
head = w3.eth.block_number
check("eth_blockNumber", head > 0, head)
block = w3.eth.get_block("latest")
check("eth_getBlockByNumber(latest)", block["number"] >= head and len(block["hash"]) == 32,
      f"number {block['number']} hash {block['hash'].hex()[:18]}…")
parent = w3.eth.get_block(block["number"] - 1)
check("blocks chain together", parent["hash"] == block["parentHash"], f"parent {parent['number']}")
balance = w3.eth.get_balance(HOLDER)
check("eth_getBalance", isinstance(balance, int), balance)
gas_price = w3.eth.gas_price
check("eth_gasPrice", gas_price > 0, gas_price)
logs = w3.eth.get_logs({"fromBlock": max(0, head - 5), "toBlock": head})
check("eth_getLogs", isinstance(logs, list), f"{len(logs)} logs in blocks {max(0, head - 5)}..{head}")
try:
    w3.eth.call({"to": REVERTING, "data": "0x12345678"})
    check("eth_call reverts", False, "no revert raised")
except ContractLogicError as error:
    check("eth_call reverts", "revert" in str(error).lower(), error)
with w3.batch_requests() as batch:
    batch.add(w3.eth.get_block(head))
    batch.add(w3.eth.get_balance(HOLDER))
    results = batch.execute()
check("batch of two", len(results) == 2 and results[0]["number"] == head, f"{len(results)} results")
print("web3.py", __import__("web3").__version__, "works against", URL)

if "--ws" in sys.argv:
    from web3 import AsyncWeb3, WebSocketProvider

    WS_URL = URL.replace("http://", "ws://", 1).replace("/rpc/", "/ws/rpc/", 1)

    async def subscriptions():
        async with AsyncWeb3(WebSocketProvider(WS_URL)) as aw3:
            check("eth_chainId over WebSocket", await aw3.eth.chain_id == chain_id, WS_URL)
            subscription = await aw3.eth.subscribe("newHeads")
            numbers = []
            async for payload in aw3.socket.process_subscriptions():
                numbers.append(payload["result"]["number"])
                if len(numbers) == 2:
                    break
            check("newHeads in order", numbers[1] == numbers[0] + 1, numbers)
            check("eth_unsubscribe", await aw3.eth.unsubscribe(subscription), subscription)

    asyncio.run(asyncio.wait_for(subscriptions(), 60))
    print("web3.py subscriptions work against", WS_URL)
