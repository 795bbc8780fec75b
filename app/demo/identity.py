"""The bureau's identity for the demo (`make run`): 東北経済産業局, as its report gives it.

scripts/run_dev.py puts these in the server's environment unless the variable is already set,
so `ORG_NAME=... make run` still wins. The report gives a name, a telephone number and an e-mail
address (as printed there); it gives no postal address, so none is shown.
"""
from __future__ import annotations

DEMO_IDENTITY: dict[str, str] = {
    "ORG_NAME": "東北経済産業局",
    "ORG_NAME_EN": "Tohoku Bureau of Economy, Trade and Industry",
    "ORG_PHONE": "022-221-4876",
    "ORG_EMAIL": "thk-chikei@metti.go.jp",
    # 7 years: the report's events (from 2020) stay readable in the demo; production sets its own (default 12).
    "ORG_RETENTION_MONTHS": "84",
    "ORG_A11Y_TESTED_ON": "2026-11-30",
    "ORG_A11Y_RESULT": "axe-core による自動試験：全ページ（日本語・英語、PC・スマートフォン幅）で重大・深刻な問題 0 件",
}
