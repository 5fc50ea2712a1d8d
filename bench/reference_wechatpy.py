"""The reference receiver for bench/ingest.py: Flask + wechatpy 1.8.18, no persistence.

Verifies msg_signature, decrypts, parses and answers "success", as a typical wechatpy
deployment does. Run under gunicorn by bench/ingest.py; configured through the environment.
"""

from __future__ import annotations

import os

from flask import Flask, request
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import check_signature

TOKEN = os.environ["BENCH_TOKEN"]
AES_KEY = os.environ["BENCH_AES_KEY"]
APPID = os.environ["BENCH_APPID"]

app = Flask(__name__)
crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)


@app.route("/wechat/", methods=["GET", "POST"])
def callback() -> tuple[str, int]:
    args = request.args
    try:
        check_signature(
            TOKEN, args.get("signature", ""), args.get("timestamp", ""), args.get("nonce", "")
        )
    except InvalidSignatureException:
        return "forbidden", 403
    if request.method == "GET":
        return args.get("echostr", ""), 200
    try:
        xml = crypto.decrypt_message(
            request.data,
            args.get("msg_signature", ""),
            args.get("timestamp", ""),
            args.get("nonce", ""),
        )
    except (InvalidSignatureException, InvalidAppIdException):
        return "forbidden", 403
    message = parse_message(xml)
    return ("success" if message is not None else ""), 200
