"""Synthetic registrants for the demo: Japanese names with readings, organisations, contacts.

Everything here is invented. Companies are fictional; public bodies, universities
and schools are named as they are in the region so that the statistics look real.
E-mail addresses are all on the reserved example domains (example.jp / example.com).
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from app.domain.codes import OrganizationType
from app.domain.people import organization_key

# 姓: (kanji, katakana reading, romaji for the e-mail address)
FAMILY_NAMES: tuple[tuple[str, str, str], ...] = (
    ("佐藤", "サトウ", "sato"), ("鈴木", "スズキ", "suzuki"), ("高橋", "タカハシ", "takahashi"),
    ("田中", "タナカ", "tanaka"), ("伊藤", "イトウ", "ito"), ("渡辺", "ワタナベ", "watanabe"),
    ("山本", "ヤマモト", "yamamoto"), ("中村", "ナカムラ", "nakamura"), ("小林", "コバヤシ", "kobayashi"),
    ("加藤", "カトウ", "kato"), ("吉田", "ヨシダ", "yoshida"), ("山田", "ヤマダ", "yamada"),
    ("佐々木", "ササキ", "sasaki"), ("山口", "ヤマグチ", "yamaguchi"), ("松本", "マツモト", "matsumoto"),
    ("井上", "イノウエ", "inoue"), ("木村", "キムラ", "kimura"), ("斎藤", "サイトウ", "saito"),
    ("阿部", "アベ", "abe"), ("菅原", "スガワラ", "sugawara"), ("千葉", "チバ", "chiba"),
    ("三浦", "ミウラ", "miura"), ("工藤", "クドウ", "kudo"), ("小野寺", "オノデラ", "onodera"),
    ("遠藤", "エンドウ", "endo"), ("菊地", "キクチ", "kikuchi"), ("及川", "オイカワ", "oikawa"),
    ("熊谷", "クマガイ", "kumagai"), ("今野", "コンノ", "konno"), ("後藤", "ゴトウ", "goto"),
    ("村上", "ムラカミ", "murakami"), ("武田", "タケダ", "takeda"), ("石川", "イシカワ", "ishikawa"),
    ("大友", "オオトモ", "otomo"), ("桜井", "サクライ", "sakurai"), ("庄司", "ショウジ", "shoji"),
    ("相馬", "ソウマ", "soma"), ("成田", "ナリタ", "narita"), ("畠山", "ハタケヤマ", "hatakeyama"),
    ("小松", "コマツ", "komatsu"), ("高田", "タカダ", "takada"), ("佐野", "サノ", "sano"),
    ("石井", "イシイ", "ishii"), ("大山", "オオヤマ", "oyama"), ("丹野", "タンノ", "tanno"),
    ("奥山", "オクヤマ", "okuyama"), ("安藤", "アンドウ", "ando"), ("岩渕", "イワブチ", "iwabuchi"),
    ("鎌田", "カマタ", "kamata"), ("船山", "フナヤマ", "funayama"), ("柴田", "シバタ", "shibata"),
    ("須藤", "スドウ", "sudo"), ("長谷川", "ハセガワ", "hasegawa"), ("小田島", "オダシマ", "odashima"),
    ("早坂", "ハヤサカ", "hayasaka"), ("東海林", "ショウジ", "shoji"), ("八木橋", "ヤギハシ", "yagihashi"),
    ("齋藤", "サイトウ", "saito"), ("蛯名", "エビナ", "ebina"), ("葛西", "カサイ", "kasai"),
)

# 名: (kanji, katakana reading, romaji)
GIVEN_NAMES: tuple[tuple[str, str, str], ...] = (
    ("翔太", "ショウタ", "shota"), ("大輔", "ダイスケ", "daisuke"), ("健一", "ケンイチ", "kenichi"),
    ("誠", "マコト", "makoto"), ("浩", "ヒロシ", "hiroshi"), ("拓也", "タクヤ", "takuya"),
    ("直樹", "ナオキ", "naoki"), ("和也", "カズヤ", "kazuya"), ("隆", "タカシ", "takashi"),
    ("修", "オサム", "osamu"), ("悠斗", "ユウト", "yuto"), ("亮", "リョウ", "ryo"),
    ("健太", "ケンタ", "kenta"), ("聡", "サトシ", "satoshi"), ("正樹", "マサキ", "masaki"),
    ("博之", "ヒロユキ", "hiroyuki"), ("一郎", "イチロウ", "ichiro"), ("秀樹", "ヒデキ", "hideki"),
    ("智也", "トモヤ", "tomoya"), ("康弘", "ヤスヒロ", "yasuhiro"), ("蓮", "レン", "ren"),
    ("大和", "ヤマト", "yamato"), ("陽斗", "ハルト", "haruto"), ("達也", "タツヤ", "tatsuya"),
    ("美咲", "ミサキ", "misaki"), ("陽子", "ヨウコ", "yoko"), ("恵", "メグミ", "megumi"),
    ("由美", "ユミ", "yumi"), ("真由美", "マユミ", "mayumi"), ("彩", "アヤ", "aya"),
    ("裕子", "ユウコ", "yuko"), ("智子", "トモコ", "tomoko"), ("愛", "アイ", "ai"),
    ("麻衣", "マイ", "mai"), ("千尋", "チヒロ", "chihiro"), ("沙織", "サオリ", "saori"),
    ("直美", "ナオミ", "naomi"), ("香織", "カオリ", "kaori"), ("結衣", "ユイ", "yui"),
    ("陽菜", "ヒナ", "hina"), ("明美", "アケミ", "akemi"), ("さくら", "サクラ", "sakura"),
    ("久美子", "クミコ", "kumiko"), ("葵", "アオイ", "aoi"), ("理恵", "リエ", "rie"),
)

#: Where registrants come from: mostly the six Tohoku prefectures (JIS X 0401).
PREFECTURE_WEIGHTS: dict[str, int] = {
    "02": 12, "03": 13, "04": 34, "05": 10, "06": 11, "07": 14, "13": 5, "15": 1, "01": 1,
}
AREA_CODES = {"01": "011", "02": "017", "03": "019", "04": "022", "05": "018", "06": "023",
              "07": "024", "13": "03", "15": "025"}

_COMPANY_PREFIXES = ("みちのく", "東北", "奥羽", "杜の都", "北上", "蔵王", "岩木", "磐梯", "八甲田", "鳥海",
                     "三陸", "会津", "青葉", "北日本", "出羽", "津軽", "南部", "庄内", "阿武隈", "栗駒")
_COMPANY_CORES = ("精工", "電子", "製作所", "テクノ", "データシステム", "ソフトウェア", "食品", "水産", "物流",
                  "建設", "情報サービス", "機械", "化成", "印刷", "交通", "観光開発", "ロボティクス", "デジタル",
                  "エンジニアリング", "醸造", "メディカル", "パッケージ", "エナジー", "ファーム")
_IT_CORES = ("データシステム", "ソフトウェア", "情報サービス", "デジタル", "システムズ", "ネットワークス")
_ROBOT_CORES = ("ロボティクス", "エンジニアリング", "FAシステム", "オートメーション", "機械")

# Municipalities: (name, prefecture). 市 → 市役所, 町 → 町役場, 県 → as is.
MUNICIPALITIES: tuple[tuple[str, str], ...] = (
    ("青森市", "02"), ("弘前市", "02"), ("八戸市", "02"), ("青森県", "02"),
    ("盛岡市", "03"), ("花巻市", "03"), ("北上市", "03"), ("宮古市", "03"), ("一関市", "03"),
    ("岩泉町", "03"), ("岩手県", "03"),
    ("仙台市", "04"), ("石巻市", "04"), ("大崎市", "04"), ("名取市", "04"), ("角田市", "04"),
    ("東松島市", "04"), ("宮城県", "04"),
    ("秋田市", "05"), ("横手市", "05"), ("大仙市", "05"), ("能代市", "05"), ("鹿角市", "05"), ("秋田県", "05"),
    ("山形市", "06"), ("鶴岡市", "06"), ("酒田市", "06"), ("天童市", "06"), ("米沢市", "06"), ("山形県", "06"),
    ("福島市", "07"), ("郡山市", "07"), ("いわき市", "07"), ("会津若松市", "07"), ("南相馬市", "07"),
    ("福島県", "07"),
)
PUBLIC_AGENCIES: tuple[tuple[str, str], ...] = (
    ("地方独立行政法人青森県産業技術センター", "02"), ("地方独立行政法人岩手県工業技術センター", "03"),
    ("宮城県産業技術総合センター", "04"), ("秋田県産業技術センター", "05"), ("山形県工業技術センター", "06"),
    ("福島県ハイテクプラザ", "07"), ("独立行政法人中小企業基盤整備機構 東北本部", "04"),
    ("公益財団法人みやぎ産業振興機構", "04"), ("公益財団法人いわて産業振興センター", "03"),
    ("公益財団法人あきた企業活性化センター", "05"), ("公益財団法人21あおもり産業総合支援センター", "02"),
    ("公益財団法人山形県産業技術振興機構", "06"), ("公益財団法人福島県産業振興センター", "07"),
    ("独立行政法人日本貿易振興機構 仙台貿易情報センター", "04"),
    ("国立研究開発法人産業技術総合研究所 東北センター", "04"),
)
ASSOCIATIONS: tuple[tuple[str, str], ...] = (
    ("仙台商工会議所", "04"), ("青森商工会議所", "02"), ("盛岡商工会議所", "03"), ("秋田商工会議所", "05"),
    ("山形商工会議所", "06"), ("郡山商工会議所", "07"), ("一般社団法人東北経済連合会", "04"),
    ("一般社団法人宮城県情報サービス産業協会", "04"), ("一般社団法人岩手県情報サービス産業協会", "03"),
    ("一般社団法人福島県情報産業協会", "07"), ("宮城県中小企業団体中央会", "04"),
    ("一般社団法人東北ニュービジネス協議会", "04"), ("東北地域情報サービス産業懇談会", "04"),
    ("宮城県水産加工品品評会協議会", "04"), ("一般社団法人東北地域交通協会", "04"),
)
UNIVERSITIES: tuple[tuple[str, str], ...] = (
    ("東北大学", "04"), ("宮城大学", "04"), ("東北学院大学", "04"), ("東北工業大学", "04"),
    ("弘前大学", "02"), ("八戸工業大学", "02"), ("岩手大学", "03"), ("岩手県立大学", "03"),
    ("秋田大学", "05"), ("秋田県立大学", "05"), ("山形大学", "06"), ("福島大学", "07"), ("会津大学", "07"),
    ("日本大学工学部", "07"),
)
OTHER_ORGANIZATIONS: tuple[tuple[str, str], ...] = (
    ("特定非営利活動法人みやぎ地域づくりネット", "04"), ("個人事業主", ""), ("フリーランス", ""),
    ("特定非営利活動法人いわて未来づくり機構", "03"), ("合同会社のしろ家守舎", "05"),
)

_DEPARTMENTS = {
    OrganizationType.COMPANY: ("経営企画部", "総務部", "情報システム部", "製造部", "営業部", "DX推進室", "技術部",
                               "品質保証部", "管理部", "事業開発部"),
    OrganizationType.MUNICIPALITY: ("商工観光課", "産業振興課", "企画政策課", "情報政策課", "交通政策課",
                                    "経済部 産業政策課", "地域振興課"),
    OrganizationType.PUBLIC_AGENCY: ("企画連携部", "技術支援部", "産業支援課", "経営支援課"),
    OrganizationType.ASSOCIATION: ("事務局", "総務企画課", "中小企業相談所"),
    OrganizationType.ACADEMIA: ("大学院工学研究科", "地域連携推進センター", "産学連携機構", "大学院経済学研究科"),
    OrganizationType.STUDENT: ("工学部", "理工学部", "経済学部", "大学院情報科学研究科", "ソフトウェア情報学部"),
    OrganizationType.OTHER: ("",),
}
_TITLES = {
    OrganizationType.COMPANY: (("代表取締役", 2), ("取締役", 2), ("部長", 3), ("課長", 3), ("係長", 2),
                               ("主任", 2), ("担当", 2), ("マネージャー", 1)),
    OrganizationType.MUNICIPALITY: (("課長", 1), ("課長補佐", 2), ("主査", 3), ("係長", 2), ("主事", 3)),
    OrganizationType.PUBLIC_AGENCY: (("主任研究員", 2), ("研究員", 2), ("コーディネーター", 3), ("課長", 1)),
    OrganizationType.ASSOCIATION: (("事務局長", 1), ("専務理事", 1), ("主事", 2), ("職員", 3)),
    OrganizationType.ACADEMIA: (("教授", 2), ("准教授", 2), ("助教", 1), ("産学連携コーディネーター", 2)),
    OrganizationType.STUDENT: (("学部3年", 3), ("学部4年", 3), ("修士1年", 2), ("修士2年", 1)),
    OrganizationType.OTHER: (("", 3), ("代表", 1)),
}
_EXECUTIVE_TITLES = (("代表取締役", 5), ("取締役", 3), ("常務取締役", 1), ("部長", 3), ("課長", 1))

@dataclass(frozen=True)
class Person:
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    email: str
    phone: str
    organization: str
    organization_type: str
    department: str
    job_title: str
    prefecture: str | None

    @property
    def organization_key(self) -> str:
        return organization_key(self.organization)


class People:
    """Draws people and organisations from a seeded random generator.

    A registrant may come back to another event (returning participants make
    the cross-event statistics meaningful), but never twice to the same event.
    """

    def __init__(self, rng: random.Random, reuse: float = 0.25) -> None:
        self.rng = rng
        self.reuse = reuse
        self._emails: set[str] = set()
        self._by_type: dict[str, list[Person]] = {}
        self._companies: dict[str, str] = {}  # name -> prefecture

    # -- organisations -------------------------------------------------------------------
    def _prefecture(self) -> str:
        codes = list(PREFECTURE_WEIGHTS)
        return self.rng.choices(codes, weights=[PREFECTURE_WEIGHTS[c] for c in codes])[0]

    def company(self, flavour: str = "") -> tuple[str, str]:
        cores = {"it": _IT_CORES, "robot": _ROBOT_CORES, "fish": ("水産", "食品", "海洋開発", "水産加工")}.get(
            flavour, _COMPANY_CORES)
        for _ in range(50):
            stem = self.rng.choice(_COMPANY_PREFIXES) + self.rng.choice(cores)
            roll = self.rng.random()
            name = f"株式会社{stem}" if roll < 0.55 else (f"{stem}株式会社" if roll < 0.93 else f"有限会社{stem}")
            if flavour == "venture":
                name = f"株式会社{self.rng.choice(_COMPANY_PREFIXES)}{self.rng.choice(('ラボ', 'テック', 'AI', 'ヘルスケア', 'ソリューションズ'))}"
            if name not in self._companies:
                self._companies[name] = self._prefecture()
                return name, self._companies[name]
        name = self.rng.choice(list(self._companies))
        return name, self._companies[name]

    def organization(self, org_type: str, flavour: str = "") -> tuple[str, str | None]:
        pick = self.rng.choice
        if org_type == OrganizationType.COMPANY:
            return self.company(flavour)
        if org_type == OrganizationType.MUNICIPALITY:
            name, pref = pick(MUNICIPALITIES)
            if name.endswith("市"):
                name += "役所"
            elif name.endswith("町"):
                name += "役場"
            return name, pref
        if org_type == OrganizationType.PUBLIC_AGENCY:
            return pick(PUBLIC_AGENCIES)
        if org_type == OrganizationType.ASSOCIATION:
            return pick(ASSOCIATIONS)
        if org_type in (OrganizationType.ACADEMIA, OrganizationType.STUDENT):
            return pick(UNIVERSITIES)
        name, pref = pick(OTHER_ORGANIZATIONS)
        return name, pref or self._prefecture()

    # -- people ----------------------------------------------------------------------------
    def _email(self, given: str, family: str, org_type: str) -> str:
        domain = "example.jp" if org_type in (OrganizationType.COMPANY, OrganizationType.OTHER) else "example.com"
        base = f"{given}.{family}"
        email, n = f"{base}@{domain}", 1
        while email in self._emails:
            n += 1
            email = f"{base}{n}@{domain}"
        self._emails.add(email)
        return email

    def _phone(self, prefecture: str | None) -> str:
        digits = "".join(str(self.rng.randrange(10)) for _ in range(8))
        if self.rng.random() < 0.35 or prefecture not in AREA_CODES:
            return self.rng.choice(("090", "080", "070")) + digits
        area = AREA_CODES[prefecture]
        return (area + digits)[:10]

    def new_person(self, org_type: str, *, organization: tuple[str, str | None] | None = None,
                   executive: bool = False, flavour: str = "", department: str | None = None,
                   job_title: str | None = None) -> Person:
        rng = self.rng
        family, family_kana, family_romaji = rng.choice(FAMILY_NAMES)
        given, given_kana, given_romaji = rng.choice(GIVEN_NAMES)
        org, pref = organization or self.organization(org_type, flavour)
        if department is None:
            department = rng.choice(_DEPARTMENTS[org_type])
        if job_title is None:
            titles = _EXECUTIVE_TITLES if executive and org_type == OrganizationType.COMPANY else _TITLES[org_type]
            job_title = rng.choices([t for t, _ in titles], weights=[w for _, w in titles])[0]
        if org_type == OrganizationType.COMPANY and job_title in ("代表取締役", "取締役", "常務取締役"):
            department = ""
        person = Person(
            family_name=family, given_name=given, family_name_kana=family_kana, given_name_kana=given_kana,
            email=self._email(given_romaji, family_romaji, org_type), phone=self._phone(pref),
            organization=org, organization_type=str(org_type), department=department, job_title=job_title,
            prefecture=pref or None,
        )
        if organization is None and not flavour:
            self._by_type.setdefault(str(org_type), []).append(person)
        return person

    def person(self, org_type: str, *, exclude: set[str], executive: bool = False, flavour: str = "",
               exclude_orgs: set[str] | None = None) -> Person:
        """A person of this organisation type not in `exclude` (emails); sometimes a returning one."""
        pool = self._by_type.get(str(org_type), [])
        if pool and not flavour and self.rng.random() < self.reuse:
            for _ in range(5):
                candidate = self.rng.choice(pool)
                if candidate.email in exclude:
                    continue
                if exclude_orgs is not None and candidate.organization_key in exclude_orgs:
                    continue
                return candidate
        for _ in range(100):
            candidate = self.new_person(org_type, executive=executive, flavour=flavour)
            if exclude_orgs is None or candidate.organization_key not in exclude_orgs:
                return candidate
        raise RuntimeError("could not find a distinct organisation")  # pragma: no cover
