"""Code lists shared by forms, models, the API and exports.

Labels are marked with ``lazy_gettext``-compatible markers by the callers;
here they are plain Japanese strings, the source language of the catalogue.
"""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    ORGANIZER = "organizer"
    VIEWER = "viewer"
    CHECKIN = "checkin"  # door staff: check-in (受付) only, for the events they are assigned to
    REVIEWER = "reviewer"  # scores the applications assigned to them (app.services.applications), nothing else


class EventCategory(StrEnum):
    SEMINAR = "seminar"
    WORKSHOP = "workshop"
    AWARD = "award"
    EXCHANGE = "exchange"
    CONTEST = "contest"
    SYMPOSIUM = "symposium"
    TRAINING_SERIES = "training_series"
    SUMMIT = "summit"
    PITCH = "pitch"
    HACKATHON = "hackathon"
    MEETUP = "meetup"


class EventFormat(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    POSTPONED = "postponed"
    FINISHED = "finished"


class AdmissionMode(StrEnum):
    FIRST_COME = "first_come"
    LOTTERY = "lottery"
    APPROVAL = "approval"


class ApprovalOverflow(StrEnum):
    """承認制: what approving a registration does when its 参加枠 has no seat left."""

    REFUSE = "refuse"  # the approval is refused (満席)
    WAITLIST = "waitlist"  # approved onto the waiting list, confirmed when a seat frees


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    APPLIED = "applied"  # lottery entry, not drawn yet
    PENDING = "pending"  # awaiting organizer approval
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    LOST = "lost"  # not drawn in a lottery


#: Statuses that hold (or wait for) a place: at most one per email per event.
ACTIVE_REGISTRATION_STATUSES = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.APPLIED,
    RegistrationStatus.PENDING,
)


class ApplicationStatus(StrEnum):
    """An organizer's decision on an application (an application event's registration); None: not decided."""

    SHORTLISTED = "shortlisted"
    AWARDED = "awarded"
    NOT_SELECTED = "not_selected"


class OrganizationType(StrEnum):
    COMPANY = "company"
    MUNICIPALITY = "municipality"
    PUBLIC_AGENCY = "public_agency"
    ASSOCIATION = "association"
    ACADEMIA = "academia"
    STUDENT = "student"
    OTHER = "other"


class AttendanceMethod(StrEnum):
    DOOR = "door"  # scanned or found at the door
    WALK_IN = "walk_in"  # registered at the door (当日参加)
    ONLINE = "online"  # first use of the personal join link
    REPORT = "report"  # a video platform's attendee report
    IMPORT = "import"  # an imported past list


class RegistrationOrigin(StrEnum):
    WEB = "web"  # the public form
    API = "api"
    ORGANIZER = "organizer"  # added by staff
    WALK_IN = "walk_in"  # registered at the door
    IMPORT = "import"  # an imported past list


class QuestionKind(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    SINGLE = "single"
    MULTIPLE = "multiple"
    YESNO = "yesno"


#: JIS X 0401 prefecture codes and names.
PREFECTURES: dict[str, str] = {
    "01": "北海道", "02": "青森県", "03": "岩手県", "04": "宮城県", "05": "秋田県",
    "06": "山形県", "07": "福島県", "08": "茨城県", "09": "栃木県", "10": "群馬県",
    "11": "埼玉県", "12": "千葉県", "13": "東京都", "14": "神奈川県", "15": "新潟県",
    "16": "富山県", "17": "石川県", "18": "福井県", "19": "山梨県", "20": "長野県",
    "21": "岐阜県", "22": "静岡県", "23": "愛知県", "24": "三重県", "25": "滋賀県",
    "26": "京都府", "27": "大阪府", "28": "兵庫県", "29": "奈良県", "30": "和歌山県",
    "31": "鳥取県", "32": "島根県", "33": "岡山県", "34": "広島県", "35": "山口県",
    "36": "徳島県", "37": "香川県", "38": "愛媛県", "39": "高知県", "40": "福岡県",
    "41": "佐賀県", "42": "長崎県", "43": "熊本県", "44": "大分県", "45": "宮崎県",
    "46": "鹿児島県", "47": "沖縄県",
}

#: English prefecture names, for the English interface.
PREFECTURES_EN: dict[str, str] = {
    "01": "Hokkaido", "02": "Aomori", "03": "Iwate", "04": "Miyagi", "05": "Akita",
    "06": "Yamagata", "07": "Fukushima", "08": "Ibaraki", "09": "Tochigi", "10": "Gunma",
    "11": "Saitama", "12": "Chiba", "13": "Tokyo", "14": "Kanagawa", "15": "Niigata",
    "16": "Toyama", "17": "Ishikawa", "18": "Fukui", "19": "Yamanashi", "20": "Nagano",
    "21": "Gifu", "22": "Shizuoka", "23": "Aichi", "24": "Mie", "25": "Shiga",
    "26": "Kyoto", "27": "Osaka", "28": "Hyogo", "29": "Nara", "30": "Wakayama",
    "31": "Tottori", "32": "Shimane", "33": "Okayama", "34": "Hiroshima", "35": "Yamaguchi",
    "36": "Tokushima", "37": "Kagawa", "38": "Ehime", "39": "Kochi", "40": "Fukuoka",
    "41": "Saga", "42": "Nagasaki", "43": "Kumamoto", "44": "Oita", "45": "Miyazaki",
    "46": "Kagoshima", "47": "Okinawa",
}
