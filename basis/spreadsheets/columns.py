"""The spreadsheet shape departments already use: Chinese column headers (with the synonyms seen
in their files) and the Chinese words for categories and subject kinds.

These are a file format, not interface text, so they are not translated: an export made in any
interface language imports again anywhere.
"""

import re
import unicodedata

from organisations.models import SubjectKind

from ..models import ManagementCategory

POSITION = "position"
DEPARTMENT = "department"
INSTRUMENT = "instrument"
ISSUING_ORGAN = "issuing_organ"
DOCUMENT_NUMBER = "document_number"
EFFECTIVE_ON = "effective_on"
PROMULGATED_ON = "promulgated_on"
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
    POSITION: ("序号", "编号", "序"),
    INSTRUMENT: (
        "法律法规名称", "依据名称", "执法依据", "法律法规规章名称", "执法依据名称", "法律依据", "法律法规",
        "法律法规规章", "法律法规及规章名称", "法律法规规章文件名称", "实施依据", "设定依据", "依据",
        "执法依据法律法规名称", "法规名称", "文件名称",
    ),
    ISSUING_ORGAN: ("发布机关", "制定机关", "颁布机关", "发布单位", "制定部门", "公布机关"),
    DOCUMENT_NUMBER: ("文号", "发文字号", "发布文号", "颁布文号", "令号"),
    EFFECTIVE_ON: ("实施时间", "施行日期", "施行时间", "实施日期", "生效日期", "生效时间"),
    PROMULGATED_ON: ("发布时间", "发布日期", "颁布时间", "颁布日期", "公布日期", "公布时间"),
    PROVISIONS: ("条款", "具体条款", "依据条款", "条款项", "条款号", "具体条款内容", "法律条款", "条目"),
    CATEGORY: ("管理类别", "类别", "管理类型", "管理方式", "执行类别"),
    LEAD: (
        "主要执行部门", "牵头部门", "主管部门", "主办部门", "实施主体", "法定主体", "执法主体", "实施机关",
        "执行部门", "主要执法部门",
    ),
    JOINT: ("共同执行部门", "共同管理部门", "共同实施部门", "联合执法部门"),
    ASSISTING: ("协助执行部门", "配合部门", "协助部门", "协同部门", "配合执行部门"),
    RIGHTS: (
        "法定权利和义务", "职责", "权利义务", "法定职责", "法定职权和义务", "法定权利义务", "法定职权义务",
        "职权和义务", "权利和义务", "法定职责和义务", "法定职权", "职权职责", "法定职责权限",
    ),
    SUBJECT_KIND: ("执法主体性质", "主体类别", "主体性质", "执法主体类别", "主体类型"),
    PRINCIPAL: ("委托机关", "委托部门", "委托单位"),
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
IGNORED_FIELDS = (POSITION, DEPARTMENT, ISSUING_ORGAN, DOCUMENT_NUMBER, EFFECTIVE_ON, PROMULGATED_ON)
# Read, checked against the registry, and reported; they never change the registry.
DATE_FIELDS = (EFFECTIVE_ON, PROMULGATED_ON)
# Fields an editor may give an unknown column by hand in the preview.
MAPPABLE_FIELDS = (
    INSTRUMENT, DOCUMENT_NUMBER, ISSUING_ORGAN, EFFECTIVE_ON, PROMULGATED_ON, PROVISIONS, CATEGORY, LEAD, JOINT,
    ASSISTING, RIGHTS, SUBJECT_KIND, PRINCIPAL, POSITION,
)

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

# After NFKC, full-width brackets, stars and colons are half-width.
_TRAILING_NOTE = re.compile(r"\([^)]*\)$")
_HEADER_PUNCTUATION = re.compile(r"[\s*()、/·・:：\-—_,，。.\[\]【】“”\"'‘’]")
_HEADER_PARTS = re.compile(r"[/、]")


def normalise_header(header: str) -> str:
    """A header as compared: NFKC (full-width letters and brackets become half-width, the
    ideographic space a space), with no spaces or line breaks, stars or punctuation."""
    return _HEADER_PUNCTUATION.sub("", unicodedata.normalize("NFKC", header))


_FIELD_BY_HEADER = {
    normalise_header(synonym): field for field, synonyms in HEADERS.items() for synonym in synonyms
}


def field_for_header(header: str) -> str | None:
    """The field a header means, however it is spelt: full- or half-width, with spaces or line
    breaks inside, a required-cell star, a trailing note in brackets ("条款（具体到款项）"), or
    two names for one column ("实施主体/法定主体")."""
    text = unicodedata.normalize("NFKC", header).strip()
    for candidate in (text, _TRAILING_NOTE.sub("", text.rstrip("* ")), *_HEADER_PARTS.split(text)):
        found = _FIELD_BY_HEADER.get(normalise_header(candidate))
        if found:
            return found
    return None


def header_for(field: str) -> str:
    return HEADERS[field][0]


def word_key(text: str) -> str:
    return re.sub(r"\s", "", text)
