#!/usr/bin/env python3
"""Drives a running lassod with web3.py, the way a Python application would.

Start `lassod demo` first (no network needed), then:
    pip install web3            # once
    python3 scripts/web3-check.py [URL] [--ws] [--ws-blocks N]
                                # URL defaults to http://127.0.0.1:4000/rpc/ethereum

With --ws it also subscribes to newHeads over ws://…/ws/rpc/<chain> through web3.py's
WebSocketProvider and follows N blocks (--ws-blocks, default 2; giving it implies --ws): each
must be the previous number + 1, name the previous block's hash as its parent, and never
repeat. Once subscribed it prints `subscribed <id>` at once, so a test driving this script can
fail a provider while the stream runs. The demo makes a block every 12 s, so N blocks take up
to 12·N s; the wait is bounded by 60 s + 15 s per block. Each check prints one line; the script
exits 1 on the first failure.
"""
import argparse
import asyncio
import sys

from web3 import Web3
from web3.exceptions import ContractLogicError

PARSER = argparse.ArgumentParser(description="web3.py against a running lassod")
PARSER.add_argument("url", nargs="?", default="http://127.0.0.1:4000/rpc/ethereum")
PARSER.add_argument("--ws", action="store_true", help="also check newHeads over WebSocket")
PARSER.add_argument("--ws-blocks", type=int, metavar="N", help="newHeads blocks to follow (implies --ws; default 2)")
OPTIONS = PARSER.parse_args()
if OPTIONS.ws_blocks is not None and OPTIONS.ws_blocks < 2:
    PARSER.error("--ws-blocks must be at least 2: continuity is checked between blocks")
URL = OPTIONS.url
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



def follow_heads(blocks):
    """Checks that `blocks` newHeads arrive consecutive, linked by parent hash, and never repeat."""
    from web3 import AsyncWeb3, WebSocketProvider

    ws_url = URL.replace("https://", "wss://", 1).replace("http://", "ws://", 1).replace("/rpc/", "/ws/rpc/", 1)

    async def subscriptions():
        async with AsyncWeb3(WebSocketProvider(ws_url)) as aw3:
            check("eth_chainId over WebSocket", await aw3.eth.chain_id == chain_id, ws_url)
            subscription = await aw3.eth.subscribe("newHeads")
            print("subscribed", subscription, flush=True)
            heads = []
            async for payload in aw3.socket.process_subscriptions():
                head = payload["result"]
                number, block_hash = head["number"], bytes(head["hash"])
                problem = None
                if any(seen == block_hash for _, seen in heads):
                    problem = f"block {number} came twice"
                elif heads and number != heads[-1][0] + 1:
                    problem = f"block {heads[-1][0]} then block {number}"
                elif heads and bytes(head["parentHash"]) != heads[-1][1]:
                    problem = f"block {number} does not name block {heads[-1][0]} as its parent"
                if problem:
                    check("newHeads continuity", False, problem)
                heads.append((number, block_hash))
                if len(heads) == blocks:
                    break
            check(f"newHeads: {blocks} blocks in order, linked, no duplicates", True,
                  f"{heads[0][0]}..{heads[-1][0]}")
            check("eth_unsubscribe", await aw3.eth.unsubscribe(subscription), subscription)
        return ws_url

    followed = asyncio.run(asyncio.wait_for(subscriptions(), 60 + 15 * blocks))
    print("web3.py subscriptions work against", followed)


if OPTIONS.ws or OPTIONS.ws_blocks is not None:
    follow_heads(OPTIONS.ws_blocks or 2)
