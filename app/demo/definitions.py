"""What the demo contains: the bureau's programmes from its report, as plain data.

Past editions carry the report's own dates and figures (each definition cites the
section of ``seed/000_b26cbd180fea2e59.txt`` it comes from). Where the report gives
no date or count, the value is a plausible assumption and the comment says so.
Upcoming editions are placed relative to "today", so the demo always has open events.

The generator (``app.demo.generator``) turns these definitions into rows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from app.domain.codes import AdmissionMode, EventCategory, EventFormat, EventStatus, OrganizationType
from app.domain.dates import jst_datetime

#: The debate contest's results by edition and division (the report): published as results.
DEBATE_RESULTS: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {
    "energy-debate-1": {"高校の部": (("優勝", "宮城野高等学校"), ("準優勝", "仙台第一高等学校")),
                        "中学の部": (("優勝", "いわき市立中央台北中学校"), ("準優勝", "福島県立ふたば未来学園中学校"))},
    "energy-debate-2": {"高校の部": (("優勝", "八戸聖ウルスラ学院高等学校"), ("準優勝", "秋田高等学校")),
                        "中学の部": (("優勝", "青森山田中学校"), ("準優勝", "福島県立ふたば未来学園中学校"))},
}

ORGANIZER = "東北経済産業局"
CONTACT = "東北経済産業局 地域経済部（デモ用の連絡先）\nE-mail: info@tsudoi.example.jp"
CONSENT = (
    "ご記入いただいた個人情報は、東北経済産業局が本イベントの運営（参加登録の受付、当日の受付、"
    "連絡、オンライン配信のご案内）と、参加状況の統計（個人を特定しない形）のためにのみ利用します。"
    "法令に基づく場合を除き、ご本人の同意なく第三者に提供することはありません。"
)
CONSENT_MINORS = CONSENT + (
    "生徒の皆さんの情報は、引率教員の方からチーム単位でお知らせいただき、大会の運営にのみ利用します。"
)
#: The school's consent for a team of minors (a required check box of the team registration).
TEAM_CONSENT = ("生徒の大会参加と、氏名・フリガナ・学年を事務局へ提出することについて、学校長（または保護者）の"
                "承諾を得てください。生徒の連絡先はお聞きしません。生徒の氏名は大会終了の90日後に消去し、"
                "チーム数・人数のみを記録として残します。")
DEBATE_TEAMS = {"team_mode": "team", "team_min_members": 3, "team_max_members": 4,
                "team_consent_text": TEAM_CONSENT, "team_erase_days": 90}

C, M, P, A, U, S, OTH = (OrganizationType.COMPANY, OrganizationType.MUNICIPALITY, OrganizationType.PUBLIC_AGENCY,
                       OrganizationType.ASSOCIATION, OrganizationType.ACADEMIA, OrganizationType.STUDENT,
                       OrganizationType.OTHER)
#: Typical audiences (weights by organisation type).
BUSINESS = {C: 80, M: 6, P: 7, A: 5, U: 2}
ADMINISTRATION = {C: 45, M: 30, P: 13, A: 8, U: 4}
SECURITY = {C: 62, M: 14, P: 6, A: 4, U: 4, S: 10}


@dataclass(frozen=True)
class SeriesDef:
    slug: str
    name: str


SERIES: tuple[SeriesDef, ...] = (
    SeriesDef("tohoku-dx-seminar", "TOHOKU DXセミナー"),
    SeriesDef("tohoku-dx-juku", "TOHOKU DX塾"),
    SeriesDef("tohoku-dx-award", "TOHOKU DX大賞"),
    SeriesDef("cyber-security-seminar", "サイバーセキュリティセミナー"),
    SeriesDef("siers-day-tohoku", "SIer's Day（東北）"),
    SeriesDef("energy-debate-contest", "省エネ政策提案型パブリック・ディベートコンテスト"),
    SeriesDef("maas-symposium", "東北MaaSシンポジウム"),
    SeriesDef("migiude-program", "右腕人材育成プログラム"),
    SeriesDef("sanriku-fisheries-summit", "三陸水産イノベーションサミット"),
    SeriesDef("government-pitch", "ガバメントピッチ"),
    SeriesDef("external-talent-seminar", "外部人材活用セミナー（各県開催）"),
    SeriesDef("iot-hackathon", "IoTアイデアソン＆ハッカソン"),
)


@dataclass(frozen=True)
class SessionDef:
    title: str
    starts_at: datetime
    ends_at: datetime
    is_online: bool = False
    venue: str = ""


def session(title: str, day: date, start: str, end: str, *, online: bool = False, venue: str = "") -> SessionDef:
    """A session on `day` from `start` to `end` (HH:MM, Japan time)."""
    sh, sm = (int(x) for x in start.split(":"))
    eh, em = (int(x) for x in end.split(":"))
    return SessionDef(title, jst_datetime(day.year, day.month, day.day, sh, sm),
                      jst_datetime(day.year, day.month, day.day, eh, em), online, venue)


@dataclass(frozen=True)
class TicketDef:
    name: str
    capacity: int | None = None
    description: str = ""


@dataclass(frozen=True)
class Crowd:
    """Synthetic registrants for one 参加枠.

    `count` registrations with `status`; `attended` of them get ``checked_in_at``.
    Organisation types come from `exact` (exact counts) or else `mix` (weights).
    `organizations` are used first, in order (named schools, say), one registration each.
    """

    ticket: int = 0
    count: int = 0
    status: str = "confirmed"
    attended: int = 0
    mix: dict[str, int] = field(default_factory=lambda: dict(BUSINESS))
    exact: dict[str, int] | None = None
    executive: bool = False
    flavour: str = ""  # it / robot / fish / venture: the kind of company
    organizations: tuple[tuple[str, str], ...] = ()
    department: str | None = None
    job_title: str | None = None
    note: str = ""


@dataclass(frozen=True)
class EventDef:
    slug: str
    series: str
    title: str
    category: str
    format: str
    sessions: tuple[SessionDef, ...]
    tickets: tuple[TicketDef, ...]
    summary: str = ""
    description: str = ""
    # English texts (issue 12): shown in English mode; blank shows the Japanese ones, marked lang="ja".
    title_en: str = ""
    summary_en: str = ""
    description_en: str = ""
    prefecture: str | None = None
    venue: str = ""
    address: str = ""
    co_organizers: tuple[str, ...] = ()
    status: str = EventStatus.FINISHED
    status_reason: str = ""
    admission_mode: str = AdmissionMode.FIRST_COME
    waitlist_enabled: bool = True
    one_per_organization: bool = False
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    online_url: str = ""
    consent_text: str = CONSENT
    crowds: tuple[Crowd, ...] = ()
    questions: str = "standard"  # standard / award / none: see app.demo.generator.QUESTION_SETS
    reminders: bool = False
    copied_from: str | None = None  # slug of the edition this one was copied from
    upcoming: bool = False
    # 修了 rule (Event.completion_min_sessions): sessions to attend at least.
    completion_min_sessions: int | None = None
    # How many sessions the attendees attended: ((people, sessions), ...), summing to the attended
    # figure; None: every attendee attended every session. The first session is always among them.
    attendance_profile: tuple[tuple[int, int], ...] | None = None
    # Per-day registration (Event.choose_sessions): registrants choose days; each day's capacity
    # (None: no limit of its own) and how popular it is (relative weights of choosing it).
    choose_sessions: bool = False
    day_capacities: tuple[int | None, ...] = ()
    day_weights: tuple[int, ...] = ()
    # Teams (Event.team_mode; app.demo.generator._teams): "team" (the teacher's registration names the
    # members), "hackathon" (registrants grouped into teams with invite codes).
    team_mode: str = ""
    team_min_members: int | None = None
    team_max_members: int | None = None
    team_consent_text: str = ""
    team_erase_days: int | None = None

    @property
    def starts_at(self) -> datetime:
        return min(s.starts_at for s in self.sessions)


def _window(first_day: date, *, weeks_before: int = 6, close_days_before: int = 1) -> dict:
    opens = first_day - timedelta(weeks=weeks_before)
    closes = first_day - timedelta(days=close_days_before)
    return {
        "registration_opens_at": jst_datetime(opens.year, opens.month, opens.day, 10),
        "registration_closes_at": jst_datetime(closes.year, closes.month, closes.day, 17),
    }


def _online_url(slug: str) -> str:
    return f"https://webinar.example.com/j/{slug}"


DX_SEMINAR_R3_PROGRAMME = """\
## プログラム

- **基調講演**：(株)aiforce solutions「ビジネスAIによる業務プロセスの高度化に向けて」
- **ソリューション紹介①**：アクセンチュア(株)「中小製造業デジタル化の打ち手と「非競争領域」の業務プロセス変革」
- **ソリューション紹介②**：日本マイクロソフト(株)「データの収集から解析・予測までローコーディングで実現するプラットフォームについて」
- **ソリューション紹介③**：(株)ASAHI Accounting Robot研究所「RPA導入支援について」

DX (Digital Transformation) とは、「現状の事業 (As-Is) を ①デジタル技術の組合せと ②データ活用で競争力のあるミライの事業 (To-Be) に転換・変革すること」です。
"""

_SENDAI_VENUE = "仙台合同庁舎B棟 会議室"
_SENDAI_ADDRESS = "宮城県仙台市青葉区本町3-3-1"


# ----------------------------------------------------------------------------------------
# Past editions, from the report
# ----------------------------------------------------------------------------------------
def past_events() -> list[EventDef]:
    d = date
    events: list[EventDef] = []

    # 重点戦略1.(2)(4)【DXセミナー】令和2年度: 2021年1月20日(水), 中堅・中小企業 経営者等 110名.
    # Online (DESIGN.md); the time of day is assumed.
    events.append(EventDef(
        slug="dx-seminar-r2", series="tohoku-dx-seminar", title="令和2年度 TOHOKU DXセミナー",
        category=EventCategory.SEMINAR, format=EventFormat.ONLINE,
        summary="中堅・中小企業の経営者向けに、DXの考え方と身近な事例を紹介するオンラインセミナー。",
        description="経営層を中心に、DX（デジタルトランスフォーメーション）への理解を深めていただくセミナーです。\n\n"
                    "**開催実績**：中堅・中小企業 経営者等 110名が参加。",
        sessions=(session("", d(2021, 1, 20), "13:30", "16:30", online=True),),
        tickets=(TicketDef("一般", 150),), online_url=_online_url("dx-seminar-r2"),
        crowds=(Crowd(count=118, attended=110, executive=True),), **_window(d(2021, 1, 20)),
    ))
    # 同 令和3年度: 2021年7月12日(月), 97名, with its programme.
    events.append(EventDef(
        slug="dx-seminar-r3", series="tohoku-dx-seminar", title="令和3年度 TOHOKU DXセミナー",
        category=EventCategory.SEMINAR, format=EventFormat.ONLINE,
        summary="ビジネスAI・業務プロセス変革・ローコード・RPA — DXの打ち手を経営者向けに紹介します。",
        description="中堅・中小企業の経営者等を対象に、DXの理解促進と身近な好事例をお届けします。\n\n"
                    + DX_SEMINAR_R3_PROGRAMME + "\n**開催実績**：中堅・中小企業 経営者等 97名が参加。",
        sessions=(session("", d(2021, 7, 12), "13:30", "16:30", online=True),),
        tickets=(TicketDef("一般", 150),), online_url=_online_url("dx-seminar-r3"),
        crowds=(Crowd(count=104, attended=97, executive=True),), copied_from="dx-seminar-r2",
        **_window(d(2021, 7, 12)),
    ))

    # 【DX塾】令和2年度: 3月15日(月)、16日(火) (2021), 70名; 講演「DXとは? 成功した企業の特徴に学ぶ」等.
    events.append(EventDef(
        slug="dx-juku-r2", series="tohoku-dx-juku", title="令和2年度 TOHOKU DX塾",
        category=EventCategory.WORKSHOP, format=EventFormat.ONLINE,
        summary="2日間でDXの基本と成功企業の特徴を学ぶ、経営者向けの塾。",
        description="講演「DXとは? 成功した企業の特徴に学ぶ」ほか。\n\n**開催実績**：中堅・中小企業 経営者等 70名が参加。",
        sessions=(session("1日目", d(2021, 3, 15), "13:00", "17:00", online=True),
                  session("2日目", d(2021, 3, 16), "13:00", "17:00", online=True)),
        tickets=(TicketDef("一般", 80),), online_url=_online_url("dx-juku-r2"),
        crowds=(Crowd(count=75, attended=70, executive=True),), **_window(d(2021, 3, 15)),
    ))
    # 同 令和3年度: 2021年11月10日(水)～11日(木), 19名; 講師 (株)MAKOTOキャピタル, hands-on. In person (assumed: 仙台).
    events.append(EventDef(
        slug="dx-juku-r3", series="tohoku-dx-juku", title="令和3年度 TOHOKU DX塾",
        category=EventCategory.WORKSHOP, format=EventFormat.IN_PERSON, prefecture="04",
        venue=_SENDAI_VENUE, address=_SENDAI_ADDRESS,
        summary="「デジタル活用による業務プロセスの最適化と戦略策定」— 2日間のハンズオン実習。",
        description="講師：(株)MAKOTOキャピタル\n\n「デジタル活用による業務プロセスの最適化と戦略策定」\n\n"
                    "架空の業務等を題材として、以下についてハンズオン実習を行います。\n\n"
                    "1. デジタルツールを活用した最適な業務フローの作成方法\n"
                    "2. データ等をふまえた自社の事業戦略策定のあり方について\n\n"
                    "**開催実績**：中堅・中小企業 経営者等 19名が参加。",
        sessions=(session("1日目", d(2021, 11, 10), "10:00", "17:00"),
                  session("2日目", d(2021, 11, 11), "10:00", "17:00")),
        tickets=(TicketDef("一般", 24),),
        crowds=(Crowd(count=21, attended=19, executive=True),), copied_from="dx-juku-r2",
        **_window(d(2021, 11, 10)),
    ))

    # 【TOHOKU DX大賞】令和3年度創設. 応募: ①製品・サービス部門 13件 ②業務プロセス部門 11件 ③支援部門 10件 計34件.
    # Application period and award ceremony date are assumed (the report gives none).
    events.append(EventDef(
        slug="dx-award-r3", series="tohoku-dx-award", title="令和3年度 TOHOKU DX大賞",
        category=EventCategory.AWARD, format=EventFormat.IN_PERSON, prefecture="04",
        venue=_SENDAI_VENUE, address=_SENDAI_ADDRESS,
        co_organizers=("一般社団法人東北経済連合会", "東北地域情報サービス産業懇談会"),
        summary="東北のDXの好事例を表彰します。3部門で応募を受け付けます。",
        description="① 製品・サービス部門 ② 業務プロセス部門 ③ 支援部門 の3部門から、"
                    "各々最優秀賞1件、優秀賞2件の合計9件を授与。併せて、選考委員会特別賞1件を授与。\n\n"
                    "- 最優秀賞：東北経済産業局長賞\n- 優秀賞：(一社)東北経済連合会会長賞、東北地域情報サービス産業懇談会長賞\n\n"
                    "**応募件数**：製品・サービス部門 13件、業務プロセス部門 11件、支援部門 10件（計34件）",
        sessions=(session("表彰式", d(2022, 2, 15), "14:00", "16:00"),),
        tickets=(TicketDef("製品・サービス部門", None), TicketDef("業務プロセス部門", None), TicketDef("支援部門", None)),
        questions="award", registration_opens_at=jst_datetime(2021, 9, 1, 10), registration_closes_at=jst_datetime(2021, 11, 30, 17),
        crowds=(Crowd(ticket=0, count=13, mix={C: 1}, executive=True, flavour="it"),
                Crowd(ticket=1, count=11, mix={C: 1}, executive=True),
                Crowd(ticket=2, count=10, mix={C: 5, P: 3, A: 2}),),
    ))

    # ○サイバーセキュリティの理解促進: セミナー「サイバーセキュリティの最新動向と中小企業が実施すべき対策」
    # 2021年1月27日(水); 参加者: 中小企業経営者・担当者、ITベンダー、自治体関係者、学生. 東北総合通信局と共同.
    # Count assumed (the report gives none); online.
    events.append(EventDef(
        slug="cyber-seminar-r2", series="cyber-security-seminar",
        title="サイバーセキュリティセミナー ～サイバーセキュリティの最新動向と中小企業が実施すべき対策～",
        category=EventCategory.SEMINAR, format=EventFormat.ONLINE, co_organizers=("東北総合通信局",),
        summary="最新の脅威動向と、中小企業が実施すべき対策を紹介します。学生の方も参加できます。",
        description="## 主な内容\n\n- 早期対応と被害状況の早期特定（体制の確立と対処訓練、社内ネットワークの監視、ログの保存）\n"
                    "- 適切な情報開示（警察への届出、個人情報保護委員会や顧客・取引先等への通知）\n"
                    "- 再発防止対策の策定（CISOの指定、CSIRTの設置と訓練）\n\n"
                    "対象：中小企業経営者・担当者、ITベンダー、自治体関係者、学生",
        sessions=(session("", d(2021, 1, 27), "14:00", "16:30", online=True),),
        tickets=(TicketDef("一般", 120), TicketDef("学生", 30, "大学・高専・専門学校の学生の方")),
        online_url=_online_url("cyber-seminar-r2"),
        crowds=(Crowd(ticket=0, count=78, attended=71, mix={C: 55, M: 15, P: 6, A: 4}),
                Crowd(ticket=0, count=12, attended=11, mix={C: 1}, flavour="it", note="ITベンダー"),
                Crowd(ticket=1, count=16, attended=14, mix={S: 1})),
        **_window(d(2021, 1, 27)),
    ))

    # ○ロボット導入の促進: SIer's Day — 平成30年度より開催, 令和2年はコロナ禍により中止, 次回は令和4年4月に開催予定.
    # With FA・ロボットシステムインテグレータ協会. The R2 date and the R4 date/figures are assumed.
    siers_description = ("東北地域企業のロボット導入に向け、「ロボットSIer」の育成と、ロボットを導入したい企業との"
                         "交流を目的に開催します。SIer企業とユーザー企業で参加枠が分かれています。")
    events.append(EventDef(
        slug="siers-day-r2", series="siers-day-tohoku", title="令和2年度 SIer's Day in 東北",
        category=EventCategory.EXCHANGE, format=EventFormat.IN_PERSON, prefecture="04",
        venue="仙台国際センター 展示棟", address="宮城県仙台市青葉区青葉山無番地",
        co_organizers=("FA・ロボットシステムインテグレータ協会",),
        summary="ロボットSIerとロボット導入を検討する企業の交流会。",
        description=siers_description, status=EventStatus.CANCELLED,
        status_reason="新型コロナウイルス感染症の感染拡大防止のため、開催を中止いたします。"
                      "お申し込みいただいた皆様には個別にご連絡しております。",
        sessions=(session("", d(2020, 10, 20), "13:00", "17:00"),),
        tickets=(TicketDef("SIer企業", 40), TicketDef("ユーザー企業", 60)),
        registration_opens_at=jst_datetime(2020, 8, 3, 10), registration_closes_at=jst_datetime(2020, 10, 16, 17),
        crowds=(Crowd(ticket=0, count=12, status="cancelled", mix={C: 1}, flavour="robot"),
                Crowd(ticket=1, count=19, status="cancelled", mix={C: 1})),
    ))
    events.append(EventDef(
        slug="siers-day-r4", series="siers-day-tohoku", title="令和4年度 SIer's Day in 東北",
        category=EventCategory.EXCHANGE, format=EventFormat.IN_PERSON, prefecture="04",
        venue="仙台国際センター 展示棟", address="宮城県仙台市青葉区青葉山無番地",
        co_organizers=("FA・ロボットシステムインテグレータ協会",),
        summary="ロボットSIerとロボット導入を検討する企業の交流会（令和2年度の中止を経て再開）。",
        description=siers_description, copied_from="siers-day-r2",
        sessions=(session("", d(2022, 4, 21), "13:00", "17:00"),),
        tickets=(TicketDef("SIer企業", 40), TicketDef("ユーザー企業", 60)),
        crowds=(Crowd(ticket=0, count=31, attended=29, mix={C: 1}, flavour="robot"),
                Crowd(ticket=1, count=46, attended=41, mix={C: 1})),
        **_window(d(2022, 4, 21)),
    ))

    # (3)エネルギー: 省エネ政策提案型パブリック・ディベートコンテスト (2019年度から).
    # 第1回 2020年1月12日, 第2回 2021年1月10日 (オンライン), 第3回 2022年1月9日; results as in the report.
    # Registrations are one per team, made by the supervising teacher (team registration comes later).
    high_1 = (("宮城野高等学校", "04"), ("仙台第一高等学校", "04"), ("盛岡第一高等学校", "03"),
              ("山形東高等学校", "06"), ("福島高等学校", "07"), ("弘前高等学校", "02"))
    junior_1 = (("いわき市立中央台北中学校", "07"), ("福島県立ふたば未来学園中学校", "07"),
                ("仙台市立五橋中学校", "04"), ("青森山田中学校", "02"))
    high_2 = (("八戸聖ウルスラ学院高等学校", "02"), ("秋田高等学校", "05"), ("宮城野高等学校", "04"),
              ("仙台第一高等学校", "04"), ("一関第一高等学校", "03"), ("米沢興譲館高等学校", "06"),
              ("安積高等学校", "07"), ("青森高等学校", "02"))
    junior_2 = (("青森山田中学校", "02"), ("福島県立ふたば未来学園中学校", "07"),
                ("いわき市立中央台北中学校", "07"), ("秋田大学教育文化学部附属中学校", "05"),
                ("宮城県仙台二華中学校", "04"))
    high_3 = (("秋田高等学校", "05"), ("八戸聖ウルスラ学院高等学校", "02"), ("宮城野高等学校", "04"),
              ("仙台第三高等学校", "04"), ("盛岡第三高等学校", "03"), ("山形東高等学校", "06"),
              ("福島高等学校", "07"))
    junior_3 = (("青森山田中学校", "02"), ("福島県立ふたば未来学園中学校", "07"), ("宮城県古川黎明中学校", "04"),
                ("一関第一高等学校附属中学校", "03"), ("いわき市立中央台北中学校", "07"))

    def debate(n: int, day: date, online: bool, high, junior, results: str, previous: str | None) -> EventDef:
        return EventDef(
            slug=f"energy-debate-{n}", series="energy-debate-contest",
            title=f"第{n}回 省エネ政策提案型パブリック・ディベートコンテスト",
            category=EventCategory.CONTEST, format=EventFormat.ONLINE if online else EventFormat.IN_PERSON,
            prefecture=None if online else "04", venue="" if online else "東北大学 川内北キャンパス 講義棟",
            address="" if online else "宮城県仙台市青葉区川内41",
            summary="「省エネルギー」を切り口に、国や自治体が採用すべき政策を中高生が考え、提案し、磨き合うコンテスト。",
            description="「省エネルギー」を切り口に、国や地方自治体が採用すべき政策を、学生の立場から考え、提案し、"
                        "磨き合うコンテストです。高校の部・中学の部の2部門で、チーム単位でお申し込みください"
                        "（お申し込みは引率の先生からお願いします）。" + (f"\n\n## 結果\n\n{results}" if results else ""),
            sessions=(session("大会", day, "09:30", "17:00", online=online),),
            tickets=(TicketDef("高校の部", 12, "1チーム3〜4名、引率教員1名"), TicketDef("中学の部", 8, "1チーム3〜4名、引率教員1名")),
            consent_text=CONSENT_MINORS, online_url=_online_url(f"energy-debate-{n}") if online else "",
            crowds=(Crowd(ticket=0, count=len(high), attended=len(high), mix={OTH: 1}, organizations=high,
                          department="ディベート部", job_title="顧問教諭", note="チーム代表（引率教員）"),
                    Crowd(ticket=1, count=len(junior), attended=len(junior), mix={OTH: 1}, organizations=junior,
                          department="ディベート部", job_title="顧問教諭", note="チーム代表（引率教員）")),
            questions="none", copied_from=previous, **_window(day, weeks_before=10, close_days_before=21),
            **DEBATE_TEAMS,
        )

    # The first two editions' winners (from the report) are published as results (DEBATE_RESULTS).
    events.append(debate(1, d(2020, 1, 12), False, high_1, junior_1, "", None))
    events.append(debate(2, d(2021, 1, 10), True, high_2, junior_2, "", "energy-debate-1"))
    events.append(debate(3, d(2022, 1, 9), True, high_3, junior_3,
                         "（結果の記録は大会後に掲載します）", "energy-debate-2"))

    # 〇モビリティ産業 (2) シンポジウム: 令和3年3月16日 オンライン; 248名から参加申込
    # (企業159, 自治体50, 公的機関24, 団体15); 当日は約210名が参加.
    events.append(EventDef(
        slug="maas-symposium-r2", series="maas-symposium", title="東北MaaSシンポジウム",
        category=EventCategory.SYMPOSIUM, format=EventFormat.ONLINE,
        summary="交通事業者・自治体向けに、管内や他地域のMaaSの先進事例を紹介します。",
        description="有識者による基調講演をはじめ、管内の取組を先進事例として紹介します。登壇者によるパネルディスカッションでは、"
                    "サービス導入時の障壁、課題等について議論します。\n\n"
                    "**開催実績**：企業を中心に248名から参加申込（企業159、自治体50、公的機関24、団体15）、当日は約210名が参加。",
        sessions=(session("", d(2021, 3, 16), "13:00", "16:30", online=True),),
        tickets=(TicketDef("一般", 300),), online_url=_online_url("maas-symposium-r2"),
        crowds=(Crowd(count=248, attended=210, exact={C: 159, M: 50, P: 24, A: 15}),),
        **_window(d(2021, 3, 16)),
    ))

    # ○人材育成の促進: 右腕人材育成プログラム (東北大学地域イノベーション研究センターと連携), 令和2年度.
    # Schedule from the flyer (2021); 1社1名, 全日程参加, 定員超過は抽選. Capacity and applicant count assumed.
    migiude_venue = "東北大学 川内南キャンパス 経済学研究科"
    events.append(EventDef(
        slug="migiude-r2", series="migiude-program", title="右腕人材育成プログラム ～将来の経営幹部を育てる、充実の7日間～",
        category=EventCategory.TRAINING_SERIES, format=EventFormat.HYBRID, prefecture="04",
        venue=migiude_venue, address="宮城県仙台市青葉区川内27-1", co_organizers=("東北大学地域イノベーション研究センター",),
        summary="経営者を支え、経営者と同じ目線で経営課題を解決しうる「右腕人材」を育てる7日間の講座。",
        description=MIGIUDE_DESCRIPTION,
        sessions=_migiude_sessions(d(2021, 1, 16), migiude_venue),
        tickets=(TicketDef("受講者", 20, "1社1名まで"),), admission_mode=AdmissionMode.LOTTERY,
        waitlist_enabled=False, one_per_organization=True, online_url=_online_url("migiude-r2"),
        crowds=(Crowd(count=20, attended=20, mix={C: 1}, job_title="部長"),
                Crowd(count=7, status="lost", mix={C: 1})),
        # 全7回: 14名が皆勤, 4名が6回 (修了), 2名が5回 (未修了). Split assumed; the rule is the flyer's 全日程参加
        # relaxed to 6 of 7 as the bureau's completion rule.
        completion_min_sessions=6, attendance_profile=((14, 7), (4, 6), (2, 5)),
        **_window(d(2021, 1, 16), weeks_before=8, close_days_before=21),
    ))

    # 重点戦略2 三陸水産イノベーションサミット: 当局主催, 水産庁・復興局・宮城県などが共催.
    # 令和2年度 4日間 視聴者延べ2000名; 令和3年度 3日間 延べ800名. Dates and unique registrants assumed.
    sanriku_co = ("水産庁", "復興庁 宮城復興局", "宮城県")

    def sanriku(slug: str, title: str, first: date, days: int, registrants: int, attended: int, cumulative: int,
                previous: str | None, profile: tuple[tuple[int, int], ...]) -> EventDef:
        # 延べ (cumulative) = the sum over the days of the people who watched that day.
        assert sum(n for n, _ in profile) == attended and sum(n * k for n, k in profile) == cumulative
        return EventDef(
            slug=slug, series="sanriku-fisheries-summit", title=title,
            category=EventCategory.SUMMIT, format=EventFormat.ONLINE, co_organizers=sanriku_co,
            summary="水産におけるSDGs、DX、地方創生の最新の取組を紹介し、水産事業者と企業のマッチングを促します。",
            description="三陸沿岸部の基幹産業である水産加工業等の次世代に向けた取組として、国内の先進事例を学ぶセミナーや"
                        "トークセッションを行い、水産事業者と「水産イノベーション」に関心のある企業等のマッチングの機会を提供します。"
                        f"\n\n**開催実績**：{days}日間で視聴者延べ{cumulative}名。",
            sessions=tuple(session(f"{i + 1}日目", first + timedelta(days=i), "13:00", "17:00", online=True)
                           for i in range(days)),
            tickets=(TicketDef("視聴", 1000),), online_url=_online_url(slug),
            crowds=(Crowd(count=registrants, attended=attended, mix={C: 55, M: 15, P: 12, A: 10, U: 8}, flavour=""),),
            copied_from=previous, attendance_profile=profile, choose_sessions=True, **_window(first),
        )

    events.append(sanriku("sanriku-summit-r2", "令和2年度 三陸水産イノベーションサミット", d(2021, 2, 16), 4, 640, 560,
                          2000, None, ((405, 4), (100, 3), (25, 2), (30, 1))))
    events.append(sanriku("sanriku-summit-r3", "令和3年度 三陸水産イノベーションサミット", d(2021, 11, 16), 3, 320, 280,
                          800, "sanriku-summit-r2", ((250, 3), (20, 2), (10, 1))))

    # ○ヘルスケア産業 取組2: ガバメントピッチ, 関東経済産業局と連携, 令和3年10月25日(月);
    # 6自治体が登壇 (東北から岩手県岩泉町); 当日聴講者数 約450名 (うちベンチャー等 約180名).
    events.append(EventDef(
        slug="government-pitch-r3", series="government-pitch", title="ガバメントピッチ ～自治体の課題・ニーズを発信～",
        category=EventCategory.PITCH, format=EventFormat.ONLINE, co_organizers=("関東経済産業局",),
        summary="自治体がヘルスケア分野の課題・ニーズを発信し、解決策を持つベンチャー企業等とつなぎます。",
        description="登壇自治体は6自治体。東北からは岩手県岩泉町が登壇します。\n\n"
                    "**岩泉町のテーマ**：～“自らの健康は自ら守り育てる” 健康データを活用した寄り添い支援～\n\n"
                    "1. 生活習慣改善の実践・定着の伴走支援\n2. ヘルスケアサポート拠点の整備\n\n"
                    "**開催実績**：当日聴講者数 約450名（うちベンチャー等 約180名）。岩泉町への提案企業数 8社。",
        sessions=(session("", d(2021, 10, 25), "13:00", "17:00", online=True),),
        tickets=(TicketDef("ベンチャー・スタートアップ", 300), TicketDef("自治体・支援機関・一般", 400)),
        online_url=_online_url("government-pitch-r3"),
        crowds=(Crowd(ticket=0, count=203, attended=180, mix={C: 1}, flavour="venture"),
                Crowd(ticket=1, count=306, attended=270, mix={C: 35, M: 35, P: 15, A: 10, U: 5})),
        **_window(d(2021, 10, 25)),
    ))

    # (4) 外部人材の活用促進: 普及セミナー (プロボノ) — 今年度は青森、秋田、山形を対象. Dates, venues, counts assumed.
    for pref, city, venue, address, day, count in (
        ("02", "青森", "アピオあおもり 大研修室", "青森県青森市中央3-17-1", d(2021, 9, 14), 32),
        ("05", "秋田", "秋田市にぎわい交流館AU 研修室", "秋田県秋田市中通1-4-1", d(2021, 10, 5), 27),
        ("06", "山形", "山形国際交流プラザ（山形ビッグウイング）", "山形県山形市平久保100", d(2021, 11, 9), 36),
    ):
        events.append(EventDef(
            slug=f"external-talent-r3-{pref}", series="external-talent-seminar",
            title=f"外部人材活用セミナー（{city}）～副業・兼業・プロボノ人材で経営課題を解決～",
            category=EventCategory.SEMINAR, format=EventFormat.IN_PERSON, prefecture=pref, venue=venue,
            address=address,
            summary="副業・兼業・プロボノ人材の活用方法と、実際に外部人材を活用した地元企業の事例を紹介します。",
            description="副業兼業人材と地域企業のマッチングを行っている企業からの説明に加え、"
                        "実際に外部人材を活用して課題解決に繋げている地元企業の事例を紹介します。"
                        "セミナー参加企業には、マッチングに向けた重点支援も行います。",
            sessions=(session("", day, "14:00", "16:30"),), tickets=(TicketDef("一般", 40),),
            crowds=(Crowd(count=count + 3, attended=count, mix={C: 85, M: 5, P: 5, A: 5}, executive=True),),
            **_window(day),
        ))

    # (4) IoT内製人材育成: 令和3年度は青森県産業技術センターで, IoTアイデアソン＆ハッカソンを2日間. Dates/count assumed.
    events.append(EventDef(
        slug="iot-hackathon-r3", series="iot-hackathon", title="IoTアイデアソン＆ハッカソン in 青森",
        category=EventCategory.HACKATHON, format=EventFormat.IN_PERSON, prefecture="02",
        venue="青森県産業技術センター IoT開発支援棟", address="青森県青森市",
        co_organizers=("地方独立行政法人青森県産業技術センター", "秋田県産業技術センター"),
        summary="現場の課題を見える化し、IoTで解決する力を磨く2日間。1日目アイデアソン、2日目ハッカソン。",
        description="IoT開発支援棟を仮想的な現場と見立て、デジタル技術を駆使して現場課題を見える化し、解決していく力を磨きます。\n\n"
                    "- 1日目：現場に見立てたIoT開発支援棟で課題を発掘し、解決のアイデアを発表する**アイデアソン**\n"
                    "- 2日目：実際に機器を用いて課題解決のためのシステムを完成させる**ハッカソン**",
        sessions=(session("1日目 アイデアソン", d(2021, 12, 7), "10:00", "17:00"),
                  session("2日目 ハッカソン", d(2021, 12, 8), "10:00", "17:00")),
        tickets=(TicketDef("一般", 24),),
        crowds=(Crowd(count=22, attended=21, mix={C: 80, P: 15, U: 5}),),
        team_mode="hackathon", team_max_members=5,
        **_window(d(2021, 12, 7)),
    ))
    return events


MIGIUDE_DESCRIPTION = """\
東北経済産業局では、次世代経営者をはじめ、地域未来牽引企業の経営者を支え、経営者と同じ目線で経営課題を解決しうる経営幹部（「右腕人材」）の育成を目的として、東北大学地域イノベーション研究センターと連携したプログラムを開催します。

## 参加条件

- 「右腕人材」候補者を対象とします。**1社あたり1名**までの参加とさせていただきます。
- **全日程参加が前提**です。原則すべての日にご参加いただける方を募集します。
- オンライン講義に参加できるパソコン、タブレット等をご準備ください。
- 定員を上回るご応募があった場合は**抽選**の上、参加者を決定します。

講師：藤本 雅彦 氏（東北大学 大学院経済学研究科 教授／地域イノベーション研究センター長）
"""

_MIGIUDE_SCHEDULE = (
    # (days after the first, in person?, title) — the 令和2年度 flyer: 1/16 (土) 集合研修（仙台） … 2/14 (日).
    (0, True, "開講式／オリエンテーション I 経営戦略と事業イノベーション"),
    (3, False, "1. マーケティングの基礎"),
    (10, False, "2. 新たな顧客価値と顧客の創造"),
    (14, True, "II 経営計画とPDCA"),
    (17, False, "3. 組織のマネジメント"),
    (24, False, "4. リーダーシップ"),
    (29, True, "III マネジメントの実践／閉講式"),
)


def _migiude_sessions(first: date, venue: str) -> tuple[SessionDef, ...]:
    out = []
    for offset, in_person, title in _MIGIUDE_SCHEDULE:
        day = first + timedelta(days=offset)
        if in_person:
            out.append(session(f"{title}（集合研修・仙台）", day, "10:30", "17:00", venue=venue))
        else:
            out.append(session(f"{title}（オンライン講義）", day, "18:00", "21:00", online=True))
    return tuple(out)


# ----------------------------------------------------------------------------------------
# Upcoming editions, relative to today
# ----------------------------------------------------------------------------------------
def _next_weekday(day: date, weekday: int) -> date:
    """The first `weekday` (Mon=0) on or after `day`, outside the year-end holidays (12/27–1/5)."""
    day = day + timedelta(days=(weekday - day.weekday()) % 7)
    while (day.month == 12 and day.day >= 27) or (day.month == 1 and day.day <= 5):
        day += timedelta(days=7)
    return day


def _reiwa(day: date) -> int:
    fiscal = day.year if day.month >= 4 else day.year - 1
    return fiscal - 2018


def _fiscal_year(day: date) -> str:
    """The 年度 in English: FY2026 (April 2026 to March 2027)."""
    return f"FY{_reiwa(day) + 2018}"


def _open_window(today: date, first_day: date, *, opened_days_ago: int = 14, close_days_before: int = 1) -> dict:
    opens = today - timedelta(days=opened_days_ago)
    closes = first_day - timedelta(days=close_days_before)
    return {
        "registration_opens_at": jst_datetime(opens.year, opens.month, opens.day, 10),
        "registration_closes_at": jst_datetime(closes.year, closes.month, closes.day, 17),
    }


def upcoming_events(today: date) -> list[EventDef]:
    """The next editions, published and (but for one) open for registration at `today` (Japan date)."""
    events: list[EventDef] = []
    up = {"status": EventStatus.PUBLISHED, "reminders": True, "upcoming": True}

    day = _next_weekday(today + timedelta(days=21), 2)  # a Wednesday about 3 weeks ahead
    events.append(EventDef(
        slug="dx-seminar-next", series="tohoku-dx-seminar", title=f"令和{_reiwa(day)}年度 TOHOKU DXセミナー",
        title_en=f"TOHOKU DX Seminar {_fiscal_year(day)}",
        summary_en="Business AI, process change, low-code and RPA: the moves of digital transformation, "
                   "for executives of small and mid-sized companies.",
        description_en="An online seminar for executives of small and mid-sized companies in Tohoku: what digital "
                       "transformation means and examples close to home.\n\nThe talks are in Japanese.",
        category=EventCategory.SEMINAR, format=EventFormat.ONLINE,
        summary="ビジネスAI・業務プロセス変革・ローコード・RPA — DXの打ち手を経営者向けに紹介します。",
        description="中堅・中小企業の経営者等を対象に、DXの理解促進と身近な好事例をお届けします。\n\n"
                    + DX_SEMINAR_R3_PROGRAMME.replace("## プログラム", "## プログラム（予定）"),
        sessions=(session("", day, "13:30", "16:30", online=True),), tickets=(TicketDef("一般", 200),),
        online_url=_online_url("dx-seminar-next"), copied_from="dx-seminar-r3",
        crowds=(Crowd(count=46, executive=True),), **_open_window(today, day, opened_days_ago=20), **up,
    ))

    day = _next_weekday(today + timedelta(days=42), 2)
    events.append(EventDef(
        slug="dx-juku-next", series="tohoku-dx-juku", title=f"令和{_reiwa(day)}年度 TOHOKU DX塾",
        title_en=f"TOHOKU DX Juku {_fiscal_year(day)} (two-day workshop)",
        summary_en="Optimising business processes with digital tools, and making a strategy: two days, hands-on.",
        category=EventCategory.WORKSHOP, format=EventFormat.IN_PERSON, prefecture="04",
        venue=_SENDAI_VENUE, address=_SENDAI_ADDRESS,
        summary="「デジタル活用による業務プロセスの最適化と戦略策定」— 2日間のハンズオン実習。",
        description="架空の業務等を題材として、デジタルツールを活用した最適な業務フローの作成方法と、"
                    "データ等をふまえた自社の事業戦略策定のあり方をハンズオンで学びます。\n\n"
                    "持ち物：ノートパソコン（貸出あり、申込時にお知らせください）",
        sessions=(session("1日目", day, "10:00", "17:00"), session("2日目", day + timedelta(days=1), "10:00", "17:00")),
        tickets=(TicketDef("一般", 30),), copied_from="dx-juku-r3",
        crowds=(Crowd(count=11, executive=True),), **_open_window(today, day), **up,
    ))

    day = _next_weekday(today + timedelta(days=60), 5)  # a Saturday about 2 months ahead
    venue = "東北大学 川内南キャンパス 経済学研究科"
    events.append(EventDef(
        slug="migiude-next", series="migiude-program",
        title=f"令和{_reiwa(day)}年度 右腕人材育成プログラム ～将来の経営幹部を育てる、充実の7日間～",
        category=EventCategory.TRAINING_SERIES, format=EventFormat.HYBRID, prefecture="04",
        venue=venue, address="宮城県仙台市青葉区川内27-1", co_organizers=("東北大学地域イノベーション研究センター",),
        summary="経営者を支え、経営者と同じ目線で経営課題を解決しうる「右腕人材」を育てる7日間の講座。",
        description=MIGIUDE_DESCRIPTION, sessions=_migiude_sessions(day, venue),
        tickets=(TicketDef("受講者", 20, "1社1名まで"),), admission_mode=AdmissionMode.LOTTERY,
        waitlist_enabled=False, one_per_organization=True, online_url=_online_url("migiude-next"),
        copied_from="migiude-r2", crowds=(Crowd(count=14, status="applied", mix={C: 1}, job_title="部長"),),
        completion_min_sessions=6,
        **_open_window(today, day, opened_days_ago=10, close_days_before=21), **up,
    ))

    day = _next_weekday(today + timedelta(days=35), 1)
    events.append(EventDef(
        slug="maas-symposium-next", series="maas-symposium", title=f"令和{_reiwa(day)}年度 東北MaaSシンポジウム",
        title_en=f"Tohoku MaaS Symposium {_fiscal_year(day)}",
        summary_en="Leading Mobility-as-a-Service cases in Tohoku and elsewhere, for transport operators and "
                   "municipalities.",
        description_en="A keynote by an expert, leading cases from the region and a panel discussion on the "
                       "barriers met when a service is introduced.",
        category=EventCategory.SYMPOSIUM, format=EventFormat.ONLINE,
        summary="交通事業者・自治体向けに、管内や他地域のMaaSの先進事例を紹介します。",
        description="有識者による基調講演、管内の先進事例の紹介、登壇者によるパネルディスカッション"
                    "（サービス導入時の障壁、課題等）を予定しています。",
        sessions=(session("", day, "13:00", "16:30", online=True),), tickets=(TicketDef("一般", 300),),
        online_url=_online_url("maas-symposium-next"), copied_from="maas-symposium-r2",
        crowds=(Crowd(count=124, mix={C: 64, M: 20, P: 10, A: 6}),), **_open_window(today, day), **up,
    ))

    # Nearly full, with a waiting list on the students' 参加枠.
    day = _next_weekday(today + timedelta(days=28), 3)
    events.append(EventDef(
        slug="cyber-seminar-next", series="cyber-security-seminar",
        title="サイバーセキュリティセミナー ～中小企業が今日からできる対策～",
        title_en="Cybersecurity Seminar: what small companies can do from today",
        summary_en="The latest threats and the measures small and mid-sized companies should take. Students "
                   "are welcome.",
        category=EventCategory.SEMINAR, format=EventFormat.IN_PERSON, prefecture="04",
        venue=_SENDAI_VENUE, address=_SENDAI_ADDRESS, co_organizers=("東北総合通信局",),
        summary="最新の脅威動向と、中小企業が実施すべき対策を紹介します。学生の方も参加できます。",
        description="東北地域サイバーセキュリティ連絡会の活動の一環として開催します。\n\n"
                    "- ランサムウェア等の最新の脅威動向\n- インシデント発生時の対応（体制、ログの保存、情報開示）\n"
                    "- CSIRTの設置と訓練\n\n対象：中小企業経営者・担当者、ITベンダー、自治体関係者、学生",
        sessions=(session("", day, "14:00", "16:30"),),
        tickets=(TicketDef("一般", 60), TicketDef("学生", 15, "大学・高専・専門学校の学生の方")),
        copied_from="cyber-seminar-r2",
        crowds=(Crowd(ticket=0, count=57, mix=SECURITY | {S: 0}), Crowd(ticket=1, count=15, mix={S: 1}),
                Crowd(ticket=1, count=4, status="waitlisted", mix={S: 1})),
        **_open_window(today, day, opened_days_ago=30), **up,
    ))

    # Registration opens in the future.
    day = _next_weekday(today + timedelta(days=70), 3)
    opens = today + timedelta(days=14)
    events.append(EventDef(
        slug="siers-day-next", series="siers-day-tohoku", title=f"令和{_reiwa(day)}年度 SIer's Day in 東北",
        category=EventCategory.EXCHANGE, format=EventFormat.IN_PERSON, prefecture="04",
        venue="仙台国際センター 展示棟", address="宮城県仙台市青葉区青葉山無番地",
        co_organizers=("FA・ロボットシステムインテグレータ協会",), copied_from="siers-day-r4",
        summary="ロボットSIerとロボット導入を検討する企業の交流会。",
        description="東北地域企業のロボット導入に向け、「ロボットSIer」の育成と、ロボットを導入したい企業との交流を目的に"
                    "開催します。SIer企業とユーザー企業で参加枠が分かれています。\n\n参加登録の受付は近日開始します。",
        sessions=(session("", day, "13:00", "17:00"),),
        tickets=(TicketDef("SIer企業", 40), TicketDef("ユーザー企業", 60)),
        registration_opens_at=jst_datetime(opens.year, opens.month, opens.day, 10),
        registration_closes_at=jst_datetime(day.year, day.month, day.day, 12) - timedelta(days=3), **up,
    ))

    # One edition in each Tohoku prefecture, grouped by the series.
    for i, (pref, city, venue, address) in enumerate((
        ("02", "青森", "アピオあおもり 大研修室", "青森県青森市中央3-17-1"),
        ("03", "岩手", "いわて県民情報交流センター アイーナ 会議室", "岩手県盛岡市盛岡駅西通1-7-1"),
        ("04", "宮城", _SENDAI_VENUE, _SENDAI_ADDRESS),
        ("05", "秋田", "秋田市にぎわい交流館AU 研修室", "秋田県秋田市中通1-4-1"),
        ("06", "山形", "山形国際交流プラザ（山形ビッグウイング）", "山形県山形市平久保100"),
        ("07", "福島", "コラッセふくしま 会議室", "福島県福島市三河南町1-20"),
    )):
        day = _next_weekday(today + timedelta(days=24 + 9 * i), 1 + i % 3)
        events.append(EventDef(
            slug=f"external-talent-next-{pref}", series="external-talent-seminar",
            title=f"外部人材活用セミナー（{city}）～副業・兼業・プロボノ人材で経営課題を解決～",
            category=EventCategory.SEMINAR, format=EventFormat.IN_PERSON, prefecture=pref, venue=venue,
            address=address, copied_from=f"external-talent-r3-{pref}" if pref in ("02", "05", "06") else None,
            summary="副業・兼業・プロボノ人材の活用方法と、実際に外部人材を活用した地元企業の事例を紹介します。",
            description="副業兼業人材と地域企業のマッチングを行っている企業からの説明に加え、"
                        "実際に外部人材を活用して課題解決に繋げている地元企業の事例を紹介します。",
            sessions=(session("", day, "14:00", "16:30"),), tickets=(TicketDef("一般", 40),),
            crowds=(Crowd(count=4 + (7 * i) % 13, mix={C: 85, M: 5, P: 5, A: 5}, executive=True),),
            **_open_window(today, day), **up,
        ))

    # Applications to the award: 3 部門 without a limit.
    ceremony = _next_weekday(today + timedelta(days=90), 1)
    events.append(EventDef(
        slug="dx-award-next", series="tohoku-dx-award", title=f"令和{_reiwa(ceremony)}年度 TOHOKU DX大賞",
        category=EventCategory.AWARD, format=EventFormat.IN_PERSON, prefecture="04",
        venue=_SENDAI_VENUE, address=_SENDAI_ADDRESS, copied_from="dx-award-r3",
        co_organizers=("一般社団法人東北経済連合会", "東北地域情報サービス産業懇談会"),
        summary="東北のDXの好事例を表彰します。3部門で応募を受け付けています。",
        description="① 製品・サービス部門 ② 業務プロセス部門 ③ 支援部門 の3部門で応募を受け付けます。"
                    "各部門から最優秀賞（東北経済産業局長賞）1件、優秀賞2件を選定し、表彰式で授与します。",
        sessions=(session("表彰式", ceremony, "14:00", "16:00"),),
        tickets=(TicketDef("製品・サービス部門", None), TicketDef("業務プロセス部門", None), TicketDef("支援部門", None)),
        # Applications are screened (承認制): some accepted already, the others await the secretariat.
        admission_mode=AdmissionMode.APPROVAL,
        questions="award", crowds=(Crowd(ticket=0, count=2, mix={C: 1}, executive=True, flavour="it"),
                Crowd(ticket=0, count=3, status="pending", mix={C: 1}, executive=True, flavour="it"),
                Crowd(ticket=1, count=1, mix={C: 1}, executive=True),
                Crowd(ticket=1, count=2, status="pending", mix={C: 1}, executive=True),
                Crowd(ticket=2, count=2, status="pending", mix={P: 1, A: 1})),
        **_open_window(today, ceremony, opened_days_ago=21, close_days_before=42), **up,
    ))

    # The debate contest's next edition: team registration by the teachers, 高校の部 and 中学の部.
    day = _next_weekday(today + timedelta(days=63), 6)  # a Sunday about 9 weeks ahead
    events.append(EventDef(
        slug="energy-debate-next", series="energy-debate-contest",
        title=f"令和{_reiwa(day)}年度 省エネ政策提案型パブリック・ディベートコンテスト",
        category=EventCategory.CONTEST, format=EventFormat.IN_PERSON, prefecture="04",
        venue="東北大学 川内北キャンパス 講義棟", address="宮城県仙台市青葉区川内41", copied_from="energy-debate-3",
        summary="「省エネルギー」を切り口に、国や自治体が採用すべき政策を中高生が考え、提案し、磨き合うコンテスト。",
        description="高校の部・中学の部の2部門で、チーム（3〜4名）単位でお申し込みください。お申し込みは引率の"
                    "先生（責任者）からお願いします。生徒の連絡先はお聞きしません。",
        sessions=(session("大会", day, "09:30", "17:00"),),
        tickets=(TicketDef("高校の部", 12, "1チーム3〜4名、引率教員1名"), TicketDef("中学の部", 8, "1チーム3〜4名、引率教員1名")),
        consent_text=CONSENT_MINORS, questions="debate",
        crowds=(Crowd(ticket=0, count=5, mix={OTH: 1}, organizations=(
                    ("宮城野高等学校", "04"), ("仙台第一高等学校", "04"), ("秋田高等学校", "05"),
                    ("八戸聖ウルスラ学院高等学校", "02"), ("福島高等学校", "07")),
                      department="ディベート部", job_title="顧問教諭"),
                Crowd(ticket=1, count=3, mix={OTH: 1}, organizations=(
                    ("青森山田中学校", "02"), ("福島県立ふたば未来学園中学校", "07"), ("いわき市立中央台北中学校", "07")),
                      department="ディベート部", job_title="顧問教諭")),
        **DEBATE_TEAMS, **_open_window(today, day, opened_days_ago=14, close_days_before=21), **up,
    ))

    # The hackathon's next edition: people register alone and form teams by invite code.
    day = _next_weekday(today + timedelta(days=35), 1)
    events.append(EventDef(
        slug="iot-hackathon-next", series="iot-hackathon", title=f"令和{_reiwa(day)}年度 IoTアイデアソン＆ハッカソン in 青森",
        category=EventCategory.HACKATHON, format=EventFormat.IN_PERSON, prefecture="02",
        venue="青森県産業技術センター IoT開発支援棟", address="青森県青森市", copied_from="iot-hackathon-r3",
        co_organizers=("地方独立行政法人青森県産業技術センター",),
        summary="現場の課題を見える化し、IoTで解決する力を磨く2日間。1日目アイデアソン、2日目ハッカソン。",
        description="お一人ずつお申し込みください。申込後のページで、チームを作って招待コードを仲間に伝えるか、"
                    "受け取った招待コードでチームに参加できます（チームは当日事務局でも編成します）。",
        sessions=(session("1日目 アイデアソン", day, "10:00", "17:00"),
                  session("2日目 ハッカソン", day + timedelta(days=1), "10:00", "17:00")),
        tickets=(TicketDef("一般", 24),),
        crowds=(Crowd(count=15, mix={C: 80, P: 15, U: 5}),),
        team_mode="hackathon", team_max_members=5, **_open_window(today, day), **up,
    ))

    # The summit's next edition: per-day registration, three online days; the second day (the
    # matching session) has 120 places and is full, with a few waiting for it.
    day = _next_weekday(today + timedelta(days=49), 1)
    events.append(EventDef(
        slug="sanriku-summit-next", series="sanriku-fisheries-summit",
        title=f"令和{_reiwa(day)}年度 三陸水産イノベーションサミット",
        category=EventCategory.SUMMIT, format=EventFormat.ONLINE, co_organizers=("水産庁", "復興庁 宮城復興局", "宮城県"),
        copied_from="sanriku-summit-r3",
        summary="水産におけるSDGs、DX、地方創生の最新の取組を紹介し、水産事業者と企業のマッチングを促します。",
        description="3日間のオンライン開催です。参加する日を選んでお申し込みください（1日だけでも参加できます）。\n\n"
                    "- 1日目：基調講演・水産DXの先進事例\n- 2日目：水産事業者と企業のマッチング（定員120名）\n"
                    "- 3日目：トークセッション「三陸から世界へ」",
        sessions=(session("1日目 基調講演", day, "13:00", "17:00", online=True),
                  session("2日目 マッチング", day + timedelta(days=1), "13:00", "17:00", online=True),
                  session("3日目 トークセッション", day + timedelta(days=2), "13:00", "16:00", online=True)),
        tickets=(TicketDef("視聴", 1000),), online_url=_online_url("sanriku-summit-next"),
        choose_sessions=True, day_capacities=(None, 120, None), day_weights=(6, 10, 4),
        crowds=(Crowd(count=210, mix={C: 55, M: 15, P: 12, A: 10, U: 8}),), **_open_window(today, day), **up,
    ))
    return events


def all_slugs(today: date) -> set[str]:
    return {e.slug for e in past_events()} | {e.slug for e in upcoming_events(today)}
