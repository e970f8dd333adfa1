#!/usr/bin/env python
"""Build a province-sized data set for the benchmarks: 14 cities, 100 counties, about 4,000
departments (with entrusted bodies), 3,000 instruments with their provisions, and about 400,000
catalogue entries in published (and some submitted) catalogues, with a few deliberate conflicts
of every kind the checks look for. Everything is written with bulk inserts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lecrs_bench \\
        .venv/bin/python bench/generate_province.py --reset [--scale 0.25]

``--scale`` shrinks the number of governments and instruments; a government keeps its usual
size, so the one-city figures stay meaningful. The script refuses to fill SQLite unless asked
for a ``--small`` set (a tenth of a percent), which is enough to try it out.

Generated records are recognisable by their codes (organisations ``PRV-``, instruments
``BENCH-``); ``--reset`` removes them, with every catalogue of the generated departments, first.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from basis.models import (  # noqa: E402
    BasisCatalogue,
    CatalogueEntry,
    InstrumentLevel,
    InstrumentStatus,
    LegalInstrument,
    ManagementCategory,
    Provision,
)
from organisations.models import OfficeFunction, Organisation, OrganisationKind, SubjectKind  # noqa: E402
from workflow.review import ReviewStatus  # noqa: E402

ORG_PREFIX = "PRV-"
INSTRUMENT_PREFIX = "BENCH-"

CITIES = 14
COUNTIES = 100
DEPARTMENTS = 4000
INSTRUMENTS = 3000
ENTRIES = 400_000

CITY_NAMES = "青州 临川 安平 宁远 长丰 永安 江华 清河 南城 东阳 西平 北川 云溪 石泉".split()
COUNTY_SYLLABLES = "丰 安 宁 平 阳 川 山 河 泉 林 城 溪 源 桥 湖 江 岭 原 塘 坪".split()
# The enforcement departments of a government and the domain of the instruments each enforces;
# the first three entrust a body with enforcement. 32 of them, and 3 entrusted bodies, in each
# of 114 governments make the province's 3,990 departments.
DEPARTMENT_TYPES = [
    pair.split(":")
    for pair in (
        "市场监督管理局:市场 交通运输局:道路运输 城市管理局:市容环境 卫生健康委员会:公共卫生 生态环境局:环境保护 "
        "自然资源和规划局:土地管理 住房和城乡建设局:建筑市场 农业农村局:农产品质量 水务局:水资源 "
        "应急管理局:安全生产 公安局:治安管理 教育局:民办教育 民政局:社会组织 司法局:法律服务 财政局:会计 "
        "人力资源和社会保障局:劳动保障 商务局:商贸流通 文化广电旅游局:文化市场 退役军人事务局:优抚 "
        "审计局:审计监督 医疗保障局:医疗保障 林业局:森林资源 体育局:体育经营 人民防空办公室:人民防空 "
        "发展和改革委员会:价格 工业和信息化局:无线电 科学技术局:科技 气象局:气象 "
        "地方金融监督管理局:地方金融 烟草专卖局:烟草专卖 邮政管理局:快递 消防救援支队:消防"
    ).split()
]
ENTRUSTED = {0: "市场监管综合执法支队", 1: "交通运输综合执法支队", 2: "城市管理综合执法大队"}
SUFFIXES = "管理条例 管理办法 监督条例 实施办法 保护条例 安全条例 监督管理规定 若干规定".split()
LEVELS = [level.value for level in InstrumentLevel]

ARTICLES = 8  # per instrument, each a whole-article provision; article 3 also has two paragraphs
JOINT_SHARE, COORDINATED_SHARE = 0.15, 0.08
MISSED_CLAIM_BACK = 0.03  # 交叉执法
MULTI_HEAD_PER_GOVERNMENT = 2  # 多头执法
REPEALED_INSTRUMENTS = 0.003
OUTSIDE_PRINCIPAL = 0.03  # 越权执法
DUPLICATE_SHARE = 0.003
OPEN_VERSION_SHARE = 0.05  # departments with a submitted second version


class Timer:
    def __init__(self):
        self.start = self.last = time.perf_counter()

    def lap(self, what: str) -> None:
        now = time.perf_counter()
        print(f"  {what}: {now - self.last:.1f} s", flush=True)
        self.last = now

    def total(self) -> float:
        return time.perf_counter() - self.start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=None, help="fraction of the province (default 1.0)")
    parser.add_argument("--reset", action="store_true", help="remove previously generated data first")
    parser.add_argument("--small", action="store_true", help="a tiny set (scale 0.001 unless given); allowed on SQLite")
    parser.add_argument("--seed", type=int, default=20261215)
    args = parser.parse_args()
    if connection.vendor != "postgresql" and not args.small:
        sys.exit("Refusing to fill %s with a province: set DATABASE_URL to PostgreSQL, or pass --small." % connection.vendor)
    scale = args.scale if args.scale is not None else (0.001 if args.small else 1.0)
    random.seed(args.seed)
    timer = Timer()
    print(f"Generating at scale {scale} on {connection.vendor} ({connection.settings_dict['NAME']})", flush=True)
    if args.reset:
        reset()
        timer.lap("reset")
    elif Organisation.objects.filter(code__startswith=ORG_PREFIX).exists():
        sys.exit("Generated data is already present: pass --reset to replace it.")

    with transaction.atomic():
        governments = build_governments(scale)
        timer.lap(f"{len(governments)} governments, {sum(len(g.departments) for g in governments)} departments")
        instruments = build_instruments(scale)
        timer.lap(f"{len(instruments)} instruments and their provisions")
        per_department = ENTRIES / DEPARTMENTS / (1 + OPEN_VERSION_SHARE)
        totals = {"catalogues": 0, "entries": 0}
        for index, government in enumerate(governments):
            catalogues, entries = build_catalogues(government, instruments, per_department)
            totals["catalogues"] += catalogues
            totals["entries"] += entries
            if index % 10 == 9 or index == len(governments) - 1:
                timer.lap(f"catalogues of {index + 1} governments ({totals['entries']} entries)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        timer.lap("analyze")
    print(
        f"Done in {timer.total():.0f} s: {len(governments)} governments, "
        f"{Organisation.objects.filter(code__startswith=ORG_PREFIX, kind=OrganisationKind.DEPARTMENT, office_function='').count()} departments, "
        f"{len(instruments)} instruments, {totals['catalogues']} catalogues, {totals['entries']} entries.",
        flush=True,
    )


# -- Reset ------------------------------------------------------------------------------------


def reset() -> None:
    """Delete what an earlier run made, bypassing the ORM's collector (and its history rows)."""
    organisations = Organisation.objects.filter(code__startswith=ORG_PREFIX)
    catalogues = BasisCatalogue.objects.filter(department__in=organisations)
    entries = CatalogueEntry.objects.filter(catalogue__in=catalogues)
    instruments = LegalInstrument.objects.filter(code__startswith=INSTRUMENT_PREFIX)
    from basis.models import CatalogueEvent, InstrumentStatusChange, ReviewComment, SubmissionDeadline

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for field in ("provisions", "joint_departments", "assisting_departments"):
            through = getattr(CatalogueEntry, field).through
            _raw_delete(through.objects.filter(catalogueentry__in=entries))
        _raw_delete(ReviewComment.objects.filter(catalogue__in=catalogues))
        _raw_delete(CatalogueEvent.objects.filter(catalogue__in=catalogues))
        _raw_delete(entries)
        _raw_delete(catalogues)
        _raw_delete(SubmissionDeadline.objects.filter(jurisdiction__in=organisations))
        _raw_delete(InstrumentStatusChange.objects.filter(instrument__in=instruments))
        _raw_delete(Provision.objects.filter(instrument__in=instruments))
        _raw_delete(instruments)
        _raw_delete(organisations)


def _raw_delete(queryset) -> None:
    # One DELETE … WHERE … statement; the subqueries above are evaluated before their rows go.
    ids = queryset.values("pk")
    sql, params = ids.query.sql_with_params()
    table = queryset.model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id IN ({sql})", params)


# -- Organisations ----------------------------------------------------------------------------


class Government:
    def __init__(self, node: Organisation, short: str):
        self.node = node
        self.short = short
        self.departments: list[Organisation] = []  # by type index
        self.entrusted: dict[int, Organisation] = {}  # principal's type index → body


def _path(parent_path: str, step: int) -> str:
    return Organisation._get_path(parent_path, len(parent_path) // Organisation.steplen + 1, step)


def build_governments(scale: float) -> list[Government]:
    """The tree, level by level: cities, counties, every government's offices and departments,
    then the entrusted bodies under departments. Paths are computed here in treebeard's format
    (steplen 4, digits and capitals) rather than by adding node after node."""
    cities = max(1, round(CITIES * scale))
    counties = max(1, round(COUNTIES * scale))
    last_root = Organisation.objects.get_last_root_node()
    first_root = Organisation._str2int(last_root.path) + 1 if last_root else 1
    # Under a government: its two offices, its departments, then (for a city) its counties.
    first_county_step = 2 + len(DEPARTMENT_TYPES) + 1

    city_nodes = [
        Organisation(
            path=_path("", first_root + i),
            depth=1,
            numchild=first_county_step - 1 + len(range(i, counties, cities)),
            code=f"{ORG_PREFIX}{i + 1:02d}",
            name=f"{_city_name(i)}市人民政府",
            kind=OrganisationKind.CITY,
        )
        for i in range(cities)
    ]
    Organisation.objects.bulk_create(city_nodes, batch_size=1000)
    county_nodes = [
        Organisation(
            path=_path(city_nodes[j % cities].path, first_county_step + j // cities),
            depth=2,
            numchild=first_county_step - 1,
            code=f"{city_nodes[j % cities].code}-{j + 1:03d}",
            name=f"{_county_name(j)}县人民政府",
            kind=OrganisationKind.COUNTY,
        )
        for j in range(counties)
    ]
    Organisation.objects.bulk_create(county_nodes, batch_size=1000)
    governments = [Government(node, f"{_city_name(i)}市") for i, node in enumerate(city_nodes)]
    governments += [Government(node, f"{_county_name(j)}县") for j, node in enumerate(county_nodes)]

    level = []
    for government in governments:
        parent = government.node
        offices = ((OfficeFunction.LEGAL_AFFAIRS, "司法局", "FZB"), (OfficeFunction.ESTABLISHMENT, "机构编制委员会办公室", "BB"))
        for step, (function, title, suffix) in enumerate(offices, start=1):
            level.append(
                Organisation(
                    path=_path(parent.path, step),
                    depth=parent.depth + 1,
                    code=f"{parent.code}-{suffix}",
                    name=f"{government.short}{title}",
                    kind=OrganisationKind.DEPARTMENT,
                    office_function=function,
                    jurisdiction=parent,
                )
            )
        for t, (title, _domain) in enumerate(DEPARTMENT_TYPES):
            department = Organisation(
                path=_path(parent.path, len(offices) + t + 1),
                depth=parent.depth + 1,
                numchild=1 if t in ENTRUSTED else 0,
                code=f"{parent.code}-D{t:02d}",
                name=f"{government.short}{title}",
                kind=OrganisationKind.DEPARTMENT,
                subject_kind=SubjectKind.STATUTORY_ORGAN,
                vertically_managed=title in ("气象局", "烟草专卖局", "邮政管理局"),
                jurisdiction=parent,
            )
            level.append(department)
            government.departments.append(department)
    Organisation.objects.bulk_create(level, batch_size=2000)

    bodies = []
    for government in governments:
        for t, title in ENTRUSTED.items():
            principal = government.departments[t]
            body = Organisation(
                path=_path(principal.path, 1),
                depth=principal.depth + 1,
                code=f"{principal.code}-E",
                name=f"{government.short}{title}",
                kind=OrganisationKind.DEPARTMENT,
                subject_kind=SubjectKind.ENTRUSTED,
                principal=principal,
                jurisdiction=government.node,
            )
            bodies.append(body)
            government.entrusted[t] = body
    Organisation.objects.bulk_create(bodies, batch_size=2000)

    # A city or county government is its own jurisdiction, which needs its id first.
    for government in governments:
        government.node.jurisdiction = government.node
    Organisation.objects.bulk_update([g.node for g in governments], ["jurisdiction"], batch_size=1000)
    return governments


def _city_name(i: int) -> str:
    return CITY_NAMES[i % len(CITY_NAMES)] + ("" if i < len(CITY_NAMES) else str(i // len(CITY_NAMES)))


def _county_name(j: int) -> str:
    n = len(COUNTY_SYLLABLES)
    return COUNTY_SYLLABLES[j % n] + COUNTY_SYLLABLES[(j // n + j + 3) % n] + ("" if j < n * n else str(j))


# -- Instruments ------------------------------------------------------------------------------


def build_instruments(scale: float) -> list[dict]:
    """Instruments, each belonging to one department type's domain, with their provisions. A
    few are repealed. Returns per instrument its id, type and provision ids by position."""
    count = max(len(DEPARTMENT_TYPES) * 4, round(INSTRUMENTS * scale))
    repealed = set(random.sample(range(count), max(1, round(count * REPEALED_INSTRUMENTS))))
    today = timezone.localdate()
    rows = []
    for n in range(count):
        t = n % len(DEPARTMENT_TYPES)
        rows.append(
            LegalInstrument(
                code=f"{INSTRUMENT_PREFIX}{n + 1:05d}",
                name=f"{DEPARTMENT_TYPES[t][1]}{SUFFIXES[(n // len(DEPARTMENT_TYPES)) % len(SUFFIXES)]}（第{n + 1}号）",
                level=LEVELS[n % len(LEVELS)],
                issuing_organ="测试省人民代表大会常务委员会",
                document_number=f"测试省第{n + 1}号",
                promulgated_on=today.replace(year=2015 + n % 10),
                effective_on=today.replace(year=2015 + n % 10),
                status=InstrumentStatus.REPEALED if n in repealed else InstrumentStatus.IN_FORCE,
                source="bench/generate_province.py",
            )
        )
    LegalInstrument.objects.bulk_create(rows, batch_size=2000)
    provisions = []
    for instrument in rows:
        for article in range(1, ARTICLES + 1):
            provisions.append(Provision(instrument=instrument, article=article, text=f"第{article}条（略）"))
        for paragraph in (1, 2):
            provisions.append(Provision(instrument=instrument, article=3, paragraph=paragraph, text="（略）"))
    Provision.objects.bulk_create(provisions, batch_size=5000)
    by_instrument: dict[int, dict] = {}
    for provision in provisions:
        by_instrument.setdefault(provision.instrument_id, {})[(provision.article, provision.paragraph)] = provision.pk
    return [
        {"id": instrument.pk, "type": n % len(DEPARTMENT_TYPES), "provisions": by_instrument[instrument.pk]}
        for n, instrument in enumerate(rows)
    ]


# -- Catalogues -------------------------------------------------------------------------------


class Draft:
    """An entry before it is written: its fields, and its many-to-many rows."""

    __slots__ = ("department", "instrument", "articles", "category", "lead", "joint", "assisting", "subject_kind", "principal")

    def __init__(self, department, instrument, articles, category=ManagementCategory.SOLE, lead=None,
                 joint=(), assisting=(), subject_kind=SubjectKind.STATUTORY_ORGAN, principal=None):
        self.department = department
        self.instrument = instrument
        self.articles = articles
        self.category = category
        self.lead = lead or department
        self.joint = list(joint)
        self.assisting = list(assisting)
        self.subject_kind = subject_kind
        self.principal = principal


def build_catalogues(government: Government, instruments: list[dict], per_department: float) -> tuple[int, int]:
    """Every department's published catalogue for one government: its own domain's instruments
    (sole, joint or coordinated), the claims back of partners' joint entries, the entrusted
    bodies' entries within their principals' catalogues, and the deliberate conflicts."""
    pools: dict[int, list[dict]] = {}
    for instrument in instruments:
        pools.setdefault(instrument["type"], []).append(instrument)
    types = len(DEPARTMENT_TYPES)
    # Each department lists ``own`` entries of its domain; partners' claims back add the shared
    # share times 4/3 partners on average, and each entrusted body lists half its principal's.
    claims_back = (JOINT_SHARE + COORDINATED_SHARE) * 4 / 3 * (1 - MISSED_CLAIM_BACK)
    per_government = per_department * (len(DEPARTMENT_TYPES) + len(ENTRUSTED))
    own = max(2, round(per_government / (len(DEPARTMENT_TYPES) * (1 + claims_back) + len(ENTRUSTED) / 2)))
    drafts: dict[int, list[Draft]] = {d.pk: [] for d in government.departments}
    for body in government.entrusted.values():
        drafts[body.pk] = []

    for t, department in enumerate(government.departments):
        pool = pools[t]
        for k in range(own):
            instrument = pool[k % len(pool)]
            # The k-th entry on one instrument cites its own articles, so repeats do not overlap.
            round_ = k // len(pool)
            articles = _articles(round_)
            if articles is None:
                break
            if round_ == 0 and len(pool) >= own and random.random() < 0.05:
                articles = []  # the whole instrument
            draw = random.random()
            if draw < JOINT_SHARE + COORDINATED_SHARE:
                category = ManagementCategory.JOINT if draw < JOINT_SHARE else ManagementCategory.COORDINATED
                partners = [government.departments[u] for u in random.sample([u for u in range(types) if u != t], random.choice((1, 1, 2)))]
                entry = Draft(
                    department, instrument, articles, category,
                    joint=partners if category == ManagementCategory.JOINT else (),
                    assisting=partners if category == ManagementCategory.COORDINATED else (),
                )
                for partner in partners:
                    if random.random() >= MISSED_CLAIM_BACK:
                        drafts[partner.pk].append(
                            Draft(partner, instrument, articles, category, lead=department,
                                  joint=entry.joint, assisting=entry.assisting)
                        )
            else:
                entry = Draft(department, instrument, articles)
            drafts[department.pk].append(entry)
            if random.random() < DUPLICATE_SHARE:
                drafts[department.pk].append(Draft(department, instrument, articles[:1]))

    for _ in range(MULTI_HEAD_PER_GOVERNMENT):
        t, u = random.sample(range(types), 2)
        instrument = pools[t][random.randrange(min(own, len(pools[t])))]
        drafts[government.departments[u].pk].append(Draft(government.departments[u], instrument, [1]))

    for t, body in government.entrusted.items():
        principal = government.departments[t]
        for entry in drafts[principal.pk][: own // 2]:
            instrument = entry.instrument
            if random.random() < OUTSIDE_PRINCIPAL:
                instrument = random.choice(pools[(t + 5) % types])
            drafts[body.pk].append(
                Draft(body, instrument, entry.articles, lead=principal, subject_kind=SubjectKind.ENTRUSTED, principal=principal)
            )

    departments = [*government.departments, *government.entrusted.values()]
    catalogues = [
        BasisCatalogue(department=d, version=1, status=ReviewStatus.PUBLISHED, published_at=timezone.now())
        for d in departments
    ]
    # Some departments have sent the office a second version, a copy of the first.
    reopened = [d for d in departments if random.random() < OPEN_VERSION_SHARE]
    catalogues += [
        BasisCatalogue(department=d, version=2, status=random.choice((ReviewStatus.SUBMITTED, ReviewStatus.UNDER_REVIEW)),
                       submitted_at=timezone.now())
        for d in reopened
    ]
    BasisCatalogue.objects.bulk_create(catalogues, batch_size=1000)
    for catalogue in catalogues[len(departments):]:
        catalogue.based_on = next(c for c in catalogues[: len(departments)] if c.department_id == catalogue.department_id)
    BasisCatalogue.objects.bulk_update(catalogues[len(departments):], ["based_on"])

    entries, m2m = [], []
    for catalogue in catalogues:
        for position, draft in enumerate(drafts[catalogue.department_id], start=1):
            entry = CatalogueEntry(
                catalogue=catalogue,
                position=position,
                instrument_id=draft.instrument["id"],
                category=draft.category,
                lead_department=draft.lead,
                rights_and_duties=duties_text(draft.instrument["type"]),
                subject_kind=draft.subject_kind,
                principal=draft.principal,
            )
            entries.append(entry)
            m2m.append((entry, draft))
    CatalogueEntry.objects.bulk_create(entries, batch_size=5000)

    Provisions = CatalogueEntry.provisions.through
    Joint = CatalogueEntry.joint_departments.through
    Assisting = CatalogueEntry.assisting_departments.through
    provision_rows, joint_rows, assisting_rows = [], [], []
    for entry, draft in m2m:
        for article in draft.articles:
            provision_rows.append(Provisions(catalogueentry_id=entry.pk, provision_id=draft.instrument["provisions"][(article, 0)]))
        joint_rows += [Joint(catalogueentry_id=entry.pk, organisation_id=o.pk) for o in draft.joint]
        assisting_rows += [Assisting(catalogueentry_id=entry.pk, organisation_id=o.pk) for o in draft.assisting]
    Provisions.objects.bulk_create(provision_rows, batch_size=10000)
    Joint.objects.bulk_create(joint_rows, batch_size=10000)
    Assisting.objects.bulk_create(assisting_rows, batch_size=10000)
    return len(catalogues), len(entries)


# Real-shaped rights-and-duties text: an act on an object in the department's domain, drawn with
# a Zipf-like spread (weight 1/rank), so that a few terms are everywhere (监督检查, 经营者) and most
# are rare (古树名木, 无人机). Bench searches time terms that match none, a few and many.
ACTS = (
    "监督检查 行政处罚 责令改正 警告 罚款 没收违法所得 没收非法财物 责令停产停业 暂扣许可证件 吊销许可证件 "
    "行政许可 备案 登记 年度检验 抽样检验 现场检查 查封场所设施 扣押财物 行政约谈 信用惩戒 "
    "限期拆除 责令恢复原状 代履行 加处罚款 责令暂停销售 召回 强制检定 资质认定 注销登记 "
    "撤销许可 事故调查 投诉举报处理 隐患排查 应急处置 检测鉴定 价格监测 统计调查 信息公示"
).split()
OBJECTS = (
    "经营者 生产企业 从业人员 建设单位 施工单位 运输企业 销售者 使用单位 服务机构 社会组织 "
    "个体工商户 网络交易平台 检验检测机构 特种设备 危险化学品 农药兽药 电动自行车 网约车 "
    "民宿 古树名木 无人机 野生动物 饮用水源地 建筑垃圾 户外广告 校外培训机构 养老机构 "
    "燃气经营企业 加油站 冷链食品 医疗美容机构 二手车交易市场 共享单车 电子烟 殡葬设施"
).split()
RARE = "热气球 风筝冲浪 蜂箱 渔排 矿泉水源 温泉井 马术场 滑翔伞 游艇码头 地热井 骑楼 古驿道 盐田 萤火虫栖息地 观鸟点 茶马古道 摩崖石刻 蛇类养殖 鸵鸟养殖 竹筏漂流".split()
CONDITIONS = (
    "未经许可擅自从事经营活动的 不按规定履行义务的 拒绝、阻碍监督检查的 伪造、变造有关证件的 "
    "造成严重后果的 逾期不改正的 情节轻微并及时纠正的 首次违法且危害后果轻微的"
).split()


def _zipf(items: list[str]) -> str:
    weights = _zipf.cache.get(len(items))
    if weights is None:
        weights = _zipf.cache[len(items)] = [1 / rank for rank in range(1, len(items) + 1)]
    return random.choices(items, weights)[0]


_zipf.cache = {}


def duties_text(type_index: int) -> str:
    """One entry's rights and duties: "对<domain>领域<object><condition>，依法<act>、<act>"."""
    domain = DEPARTMENT_TYPES[type_index][1]
    acts = {_zipf(ACTS) for _ in range(random.choice((1, 2, 2, 3)))}
    text = f"对{domain}领域{_zipf(OBJECTS)}{_zipf(CONDITIONS)}，依法{'、'.join(sorted(acts))}"
    if random.random() < 0.1:
        text += "；情节严重的，依法移送有关机关处理"
    if random.random() < 0.0005:  # a handful of entries name something almost nobody else does
        text += f"；含{random.choice(RARE)}"
    return text


def _articles(round_: int) -> list[int] | None:
    """The articles the ``round_``-th entry on one instrument cites (1–2, 4–5, 7–8), or None."""
    first = 1 + 3 * round_
    return [first, first + 1] if first + 1 <= ARTICLES else None


if __name__ == "__main__":
    main()
