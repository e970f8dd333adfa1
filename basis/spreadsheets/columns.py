"""The spreadsheet shape departments already use: Chinese column headers (with the synonyms seen
in their files) and the Chinese words for categories and subject kinds.

These are a file format, not interface text, so they are not translated: an export made in any
interface language imports again anywhere.
"""

import re

from organisations.models import SubjectKind

from ..models import ManagementCategory

POSITION = "position"
DEPARTMENT = "department"
INSTRUMENT = "instrument"
ISSUING_ORGAN = "issuing_organ"
DOCUMENT_NUMBER = "document_number"
EFFECTIVE_ON = "effective_on"
PROVISIONS = "provisions"
CATEGORY = "category"
LEAD = "lead_department"
JOINT = "joint_departments"
ASSISTING = "assisting_departments"
RIGHTS = "rights_and_duties"
SUBJECT_KIND = "subject_kind"
PRINCIPAL = "principal"

# Field → the header an export writes, then the synonyms an import also accepts.
HEADERS: dict[str, tuple[str, ...]] = {
    POSITION: ("序号", "编号"),
    INSTRUMENT: ("法律法规名称", "依据名称", "执法依据", "法律法规规章名称", "执法依据名称", "法律依据", "法律法规"),
    ISSUING_ORGAN: ("发布机关", "制定机关", "颁布机关"),
    DOCUMENT_NUMBER: ("文号", "发文字号"),
    EFFECTIVE_ON: ("实施时间", "施行日期", "施行时间", "实施日期"),
    PROVISIONS: ("条款", "具体条款", "依据条款", "条款项"),
    CATEGORY: ("管理类别", "类别", "管理类型"),
    LEAD: ("主要执行部门", "牵头部门", "主管部门", "主办部门"),
    JOINT: ("共同执行部门", "共同管理部门"),
    ASSISTING: ("协助执行部门", "配合部门", "协助部门"),
    RIGHTS: ("法定权利和义务", "职责", "权利义务", "法定职责"),
    SUBJECT_KIND: ("执法主体性质", "主体类别", "主体性质"),
    PRINCIPAL: ("委托机关", "委托部门"),
    # Only the compilation has it; an import recognises it and leaves it aside.
    DEPARTMENT: ("部门",),
}

# The columns of one catalogue, in order; the compilation puts DEPARTMENT first.
CATALOGUE_FIELDS = (
    POSITION,
    INSTRUMENT,
    ISSUING_ORGAN,
    DOCUMENT_NUMBER,
    EFFECTIVE_ON,
    PROVISIONS,
    CATEGORY,
    LEAD,
    JOINT,
    ASSISTING,
    RIGHTS,
    SUBJECT_KIND,
    PRINCIPAL,
)
REQUIRED_FIELDS = (INSTRUMENT, CATEGORY, LEAD)
# Informational columns: the registry, not the file, is the source of these.
IGNORED_FIELDS = (POSITION, DEPARTMENT, ISSUING_ORGAN, DOCUMENT_NUMBER, EFFECTIVE_ON)

CATEGORY_WORDS = {
    ManagementCategory.SOLE: "单一主管",
    ManagementCategory.JOINT: "共同管理",
    ManagementCategory.COORDINATED: "协同管理",
}
CATEGORY_SYNONYMS = {
    **{word: value.value for value, word in CATEGORY_WORDS.items()},
    "单一": ManagementCategory.SOLE.value,
    "单一管理": ManagementCategory.SOLE.value,
    "共管": ManagementCategory.JOINT.value,
    "共同": ManagementCategory.JOINT.value,
    "协管": ManagementCategory.COORDINATED.value,
    "协同": ManagementCategory.COORDINATED.value,
    **{value.value: value.value for value in ManagementCategory},
}

SUBJECT_KIND_WORDS = {
    SubjectKind.STATUTORY_ORGAN: "法定行政机关",
    SubjectKind.AUTHORISED: "法定授权组织",
    SubjectKind.ENTRUSTED: "受委托组织",
}
SUBJECT_KIND_SYNONYMS = {
    **{word: value.value for value, word in SUBJECT_KIND_WORDS.items()},
    "行政机关": SubjectKind.STATUTORY_ORGAN.value,
    "法定机关": SubjectKind.STATUTORY_ORGAN.value,
    "授权组织": SubjectKind.AUTHORISED.value,
    "法律法规授权组织": SubjectKind.AUTHORISED.value,
    "委托组织": SubjectKind.ENTRUSTED.value,
    **{value.value: value.value for value in SubjectKind},
}

_HEADER_NOISE = re.compile(r"\s|[*＊]|[（(][^）)]*[）)]$")
_FIELD_BY_HEADER = {
    synonym: field for field, synonyms in HEADERS.items() for synonym in synonyms
}


def field_for_header(header: str) -> str | None:
    """The field a header means: spaces, required-cell stars and a trailing note in brackets
    ("条款（具体到款项）") are not part of the name."""
    return _FIELD_BY_HEADER.get(_HEADER_NOISE.sub("", header))


def header_for(field: str) -> str:
    return HEADERS[field][0]


def word_key(text: str) -> str:
    return re.sub(r"\s", "", text)
