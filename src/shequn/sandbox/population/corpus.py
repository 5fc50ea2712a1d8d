"""What simulated customers say: short, realistic questions about the brand in zh/ja/en.

Texts are grouped by topic; a customer's interests and baby's age pick the topic, the customer's
language picks the sentence. `{months}` is filled with the baby's age in months.
"""

from __future__ import annotations

import random

CORPUS: dict[str, dict[str, tuple[str, ...]]] = {
    "products": {
        "zh_CN": (
            "这款精华适合敏感肌吗？",
            "请问新品什么时候上市？",
            "防晒霜和隔离霜需要一起用吗？",
            "有没有适合混合性皮肤的套装推荐？",
            "产品保质期是多久？开封后能用多久？",
            "你们家的洗面奶含酒精吗？",
        ),
        "ja": (
            "この美容液は敏感肌でも使えますか？",
            "新商品はいつ発売されますか？",
            "混合肌におすすめのセットはありますか？",
            "開封後の使用期限を教えてください。",
        ),
        "en": (
            "Is this serum OK for sensitive skin?",
            "When does the new collection launch?",
            "Which set do you recommend for combination skin?",
        ),
    },
    "delivery": {
        "zh_CN": (
            "我的订单什么时候发货？",
            "快递到上海一般要几天？",
            "包裹里的二维码扫了没反应怎么办？",
            "可以改收货地址吗？",
            "物流信息一直没更新，帮忙查一下",
        ),
        "ja": (
            "注文した商品はいつ発送されますか？",
            "配送先の住所を変更できますか？",
            "追跡情報が更新されません。",
        ),
        "en": ("When will my order ship?", "Can I change my delivery address?"),
    },
    "coupons": {
        "zh_CN": (
            "新人优惠券在哪里领？",
            "关注送的红包怎么还没到账？",
            "优惠券可以和满减一起用吗？",
            "会员日有什么活动？",
            "邀请好友有奖励吗？",
        ),
        "ja": (
            "新規会員クーポンはどこで受け取れますか？",
            "クーポンはセール品にも使えますか？",
            "友達紹介の特典はありますか？",
        ),
        "en": ("Where do I get the new-member coupon?", "Does the coupon work on sale items?"),
    },
    "baby": {
        "zh_CN": (
            "宝宝{months}个月了，可以吃辅食了吗？",
            "{months}个月的宝宝用几段奶粉？",
            "宝宝红屁屁用什么护臀膏好？",
            "纸尿裤L码适合多重的宝宝？",
            "有没有{months}个月宝宝的妈妈群？",
            "宝宝晚上总是醒，有什么建议吗？",
        ),
        "ja": (
            "赤ちゃんが{months}ヶ月になりました。離乳食を始めてもいいですか？",
            "{months}ヶ月の赤ちゃんに合うおむつのサイズは？",
            "同じ月齢のママのグループはありますか？",
        ),
        "en": (
            "My baby is {months} months old, can we start solids?",
            "Which diaper size fits a {months}-month-old?",
        ),
    },
    "expecting": {
        "zh_CN": ("预产期快到了，待产包需要准备什么？", "新生儿用品有套装吗？"),
        "ja": ("出産準備に何が必要ですか？",),
        "en": ("What should I prepare before the baby arrives?",),
    },
}

FOLLOWUPS: dict[str, tuple[str, ...]] = {
    "zh_CN": (
        "好的，谢谢！",
        "那怎么领取呢？",
        "还有别的颜色吗？",
        "明白了，大概多久能到？",
        "可以再详细说一下吗？",
    ),
    "ja": (
        "ありがとうございます！",
        "どうやって受け取れますか？",
        "もう少し詳しく教えてください。",
    ),
    "en": ("Thanks!", "How do I claim it?", "Could you tell me more?"),
}

NICKNAMES: dict[str, tuple[str, ...]] = {
    "zh_CN": (
        "小鹿",
        "晴天",
        "糖糖妈",
        "阿杰",
        "Lily",
        "木子",
        "豆豆妈妈",
        "小米粒",
        "Echo",
        "向日葵",
        "大橙子",
        "安安",
        "果果",
        "七七",
        "Tina",
        "乐乐爸",
        "柠檬",
        "一一",
        "暖暖",
        "Coco",
    ),
    "ja": ("さくら", "ゆい", "はるか", "みさき", "けんた", "あおい", "りな", "ゆうと"),
    "en": ("Amy", "Ben", "Chloe", "Daniel", "Emma", "Grace", "Leo", "Mia"),
}


def sentence(rng: random.Random, topic: str, language: str, months: int | None = None) -> str:
    by_language = CORPUS.get(topic) or CORPUS["products"]
    options = by_language.get(language) or by_language["zh_CN"]
    text = rng.choice(options)
    return text.replace("{months}", str(months if months is not None else 6))


def followup(rng: random.Random, language: str) -> str:
    return rng.choice(FOLLOWUPS.get(language) or FOLLOWUPS["zh_CN"])


def nickname(rng: random.Random, language: str) -> str:
    return rng.choice(NICKNAMES.get(language) or NICKNAMES["zh_CN"])
