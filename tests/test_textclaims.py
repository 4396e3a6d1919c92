"""Tests for perfeval.core.textclaims: claims read from the free text of a 自评报告.

The seed texts below are copied verbatim from the two seed reports (000: 桃江县科协 2023, sections 一 to
七; 002: 澧县科协 2021, the sentences used).  They are embedded because the seed files are not part of
every checkout.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfeval.core.textclaims import (
    AMOUNT_KINDS,
    FLAG_KINDS,
    STAFF_KINDS,
    Claim,
    extract_claims,
    extract_counts,
    repeated_counts,
)

SEED000_PARAGRAPHS: tuple[str, ...] = (
    "一、部门概况",
    "（一）单位基本情况",
    (
        "桃江县科学技术协会属行政单位，共有编制人数6人，实有人数7人。内设股室2个，分别为办公室"
        "和学会部。主要职责为：(1)密切联系科学技术工作者，宣传党的路线方针政策，反映科学技术工"
        "作者的建议、意见和诉求，维护科学技术工作者的合法权益，建设科技工作者之家。(2)开展学术"
        "交流，活跃学术思想，倡导学术民主，优化学术环境，促进学科发展，推进全县创新体系建设;负责"
        "桃江籍院士专家和为桃江服务的院士专家的联络服务；做好院士专家科技成果转化、院士专家宣传和"
        "院士专家工作站的申报、指导、组织认定等工作。(3)组织科学技术工作者开展科技创新，参与科"
        "学论证和咨询服务，加快科学技术成果转化应用，助力创新发展，增强企业自主创新。(4)组织推"
        "动全县城乡科学技术普及工作；协助制定科普工作规划，编制科普专项经费预算。弘扬科学精神，普"
        "及科学知识，推广先进技术，传播科学思想和科学方法，捍卫科学尊严，提高全民科学素质。(5)"
        "组织科学技术工作者为县委、县政府制定科学技术政策、法规提供咨询，组织科学技术工作者参与地"
        "方事务的政治协商、科学决策、民主监督工作。(6)会同有关部门开展科技工作者的继续教育和培"
        "训，注重激发青少年科技兴趣，发现培养杰出青年科技工作者和创新团队，表彰奖励优秀科学技术工"
        "作者，举荐科学技术人才。(7)协调县级自然科学专门学会之间，学会与乡镇科协之间的关系，加"
        "强与社会科学的学科联系，编辑出版科普和学术刊物，举办为科技工作者和科技活动服务的公益事业"
        "。(8)管理、指导、协调各类科学技术协会，组织厂会协作、厂校协作活动，组织开展农村科普示"
        "范创建工作。"
    ),
    "（二）部门整体支出情况",
    (
        "2023年，县财政批复年初预算158.43万元，全年预算调整为266.32万元，全年预算"
        "收入合计266.32万元，全年预算整体支出266.32万元，其中基本支出107.64万元"
        "，项目支出158.68万元。"
    ),
    "（三）绩效目标设立情况",
    (
        "年初，根据县财政局关于开展绩效目标评价的要求，我协会以合理使用部门整体预算资金为目的，确"
        "定主要完成以下工作任务：一是按财政预算资金保证干职工工资的正常发放和协会日常工作的正常运"
        "转。二是坚持服务公民科学素质提升，科学编制《桃江县全民科学素质行动规划纲要实施方案（20"
        "21-2025）》。三是认真开展全国科普日系列活动。四是扎实开展青少年科技活动。五是认真"
        "组织实施五项科普提升行动。六是认真组织实施了3个专家工作站的建设。"
    ),
    "二、部门整体支出管理及使用情况分析",
    "(一)基本支出",
    (
        "2023年部门预算财政拨款基本支出107.64万元，均为单位机构进行的正常运转和完成时常"
        "工作而发生的各项支出，包括用于基本工资，津补贴、养老保险等人员经费，以及办公费、印刷费、"
        "劳务费。工会经费、差旅费等其他日常公用支出，其中：工资福利支出88.69万元，其他商品服"
        "务支出18.47万元，对个人和家庭的补助0.48万元。“三公”经费预算：2023年机关运"
        "行经费16.25万元，“三公”经费预算1.58万元，实际支出1.30万元，没有超过年初预"
        "算。"
    ),
    "(二)项目支出",
    "1、项目资金",
    (
        "2023年部门项目资金整体支出158.68万元。其中1、科普活动支出98.68万元，（年"
        "初预算科普工作经费48万元，上级财政拨付国家基层科普行动计划专项资金50.68万元）2、"
        "上级专款人才发展专项资金及专家工作站建设补助60万元。用于湖南桃花江竹材料科技股份有限公"
        "司专家工作站建设、湖南福德电气有限公司专家工作站建设、桃江鑫辰实业发展有限公司专家工作站"
        "建设。科普宣传活动费严格按照年初预算专项使用。2023年我单位根据年初工作规划和重点性工"
        "作，围绕县委县政府，积极履行，强化管理，较好的完成了年度工作目标。通过加强预算收支管理。"
        "建立健全了单位内部财务制度，梳理了内部管理流程，部门整体支出管理情况得到提升。"
    ),
    "2、项目资金实际使用情况：",
    (
        "科普活动经费98.68万元主要用于湖南科技助力乡村振兴工程科普小镇建设，完成了马迹塘镇科"
        "普文化广场基础设施建设；规划了科普阵地“六个一”建设，开展了竹产业技术培训，建成了笋竹研"
        "学基地，成功获批省级特色竹产业小镇、湖南省乡村振兴示范镇。开展了产业技术服务针对马迹塘镇"
        "“竹业小镇”特色产业，联合镇科技专家服务团组成农业创新服务、工业创新服务，科普健康服务等"
        "七个小组，赴重点企业、合作社、基地开展科技帮扶、科技服务、科技培训等活动培育各发展科技示"
        "范企业、示范基地和示范户共10个。建设了产业科普阵地、完善了科普硬件措施、建立稳定的科普"
        "工作队伍、广泛开展科普活动、因地制宜开展特色科普工作。"
    ),
    (
        "人力资源和社会保障管理事务支出即人才发展专项资金及专家工作站建设补助60万元主要用于湖南"
        "福德电气有限公司、湖南桃花江竹材料科技股份有限公司、桃江鑫辰实业发展有限公司。专家工作站"
        "建设依托公司已成立的省认定企业技术中心、省认定工业设计中心以及省认定工程技术研究中心等研"
        "发平台现有条件，拥有研究与中试场地共6000平方米，拥有检验检测、中试设施设备72台套，"
        "此外，拥有专家及团队专用办公场地100m2。专家工作站现有研究人员16人，各类办公设备网"
        "络通讯与研究设施配套齐全，为专家工作站开展技术攻关及技术成果转化工作提供了必要的软硬件条"
        "件和良好环境。"
    ),
    "三、部门整体支出绩效评价",
    (
        "桃江县科学技术协会2023年根据年初工作计划和县政府重点工作安排，积极履行职责职能，强化"
        "内部管理，较好的完成了年初制定的工作目标，通过加强预算收支管理，不断建立健全了内部管理制"
        "度，部门整体支出情况得到了进一步提升，部门整体支出绩效完成情况如下："
    ),
    "1、坚持服务公民科学素质提升",
    (
        "认真开展全国科普日系列活动。9月19日，由益阳市纲要办成员单位、桃江县人民政府主办，桃江"
        "县纲要办成员单位协办，县科协和马迹塘镇人民政府具体执行承办的2023年益阳市全国科普日主"
        "场活动，在桃江县马迹塘镇龙溪村举行，主场活动启动仪式由副县长童春义主持，省科协副主席李为"
        "，市政府副秘书长朱凤章，县副书记、统战部部长冷亮分别致辞。主场活动共组织了节目表演，启动"
        "仪式，参观桃江县竹产业企业展、桃江县科普展、光大环保科普馆，举行科技助力乡村振兴主题讲座"
        "等六项主题活动。参与启动仪式的镇村干部、群众代表、学生代表共500余人，现场咨询和参观群"
        "众达2000余人。"
    ),
    (
        "扎实开展青少年科技活动。一是加强青少年科技教育。联合教育局、科工局等单位组织第38届青少"
        "年科技创新大赛，并选派优秀作品参加省、市科协举办的44届青少年科技创新大赛，获省一等奖2"
        "项、二等奖3项、三等奖4项，同时对12月举行的桃江县第39届青少年科技创新大赛进行了部署"
        "安排。开展了中学生奥林匹克“五项”学科竞赛，选派了数学、物理、化学、生物等学科优秀学生参"
        "加省级联赛，共获得二等奖11个，三等奖28个。二是利用科普资源助力“双减”工作。指导县城"
        "近桃小学、桂花园小学、高桥中学、小山湾小学开展各类科普教育活动，引领学生爱科学、用科学，"
        "助力“双减”工作落实的经验，受到省科协党组书记、常务副主席王瑰曙的充分肯定。组织全县17"
        "名科技教师参加了市中小学科学教师培训班，提高了教师科学素质。"
    ),
    "2、坚持服务科技工作者",
    (
        "开展科技工作者日系列活动。以“点亮精神火炬”为主题，正在开展“最美科技工作者”、“最美科"
        "学传播者”评选和学习宣传活动，表彰了14位最美科技工作者和最美科学传播者，其中的典型代表"
        "先进事迹并在桃江公众信息网、科普桃江微信公众号、宣传板块进行宣传报道，增强科技工作者的自"
        "豪感、获得感和使命感，提升了科协组织的凝聚力。制作了26块科普知识宣传板块投放人口流动大"
        "的人行桥、县一中门口、大汉酒店门前等显眼位置，此外今年以来向市县媒体推介科普宣传稿达10"
        "篇左右。"
    ),
    (
        "积极举才荐才。组织评选桃江县自然科学学科学术带头人和自然科学优秀学术成果，并推荐优秀参加"
        "益阳市的评审，其中县人民医院丁爱华的临床输血病例200例，县植保植检站王啓威的《近年湖南"
        "桃江二化螟大发生原因分析及防控对策》获得益阳市第五届自然科学优秀学术成果二等奖，另获得三"
        "等奖、优胜奖各一个。推荐湖南桃花江竹材科技的李婷成功入选湖南省“小荷人才”培养计划，为湖"
        "南桃花江竹材科技的李霞镇、湖南省吉祥天生物科技的王刚申报成为益阳市银城科技人才。通过评优"
        "评先，激发广大科技工作者创新创造热情，营造了“尊重知识尊重人才”的良好社会风尚。"
    ),
    "3、 坚持服务创新驱动发展",
    (
        "推进创新驱动发展战略实施。全力支持企业建设专家工作站，创新企业发展平台，推进产学研深度融"
        "合，把专家的科学技术转化为现实的生产力，助推桃江产业转型升级，今年以来在原有3家工作站的"
        "基础上，培育建设惊石农业、波贝恩竹木科技2家专家工作站。目前惊石农业、波恩贝竹木科技2家"
        "成为市级专家工作站。"
    ),
    (
        "推进科技服务进基层。全面推广中国科协企业创新服务中心,指导我县科技专家和180多家高新技"
        "术企业和规模以上工业企业注册应用“科创中国”APP，为企业提供精准技术创新服务的协同创新"
        "服务，全面链接全国人才、设备、技术、专家、服务、政策等科技要素，贯彻落实创新驱动发展战略"
        "。坚持服务农村、服务企业为出发点，联合县科技专家服务团组成农业创新服务、林业创新服务、工"
        "业创新服务、科普健康服务等七个小组，赴重点企业、合作社、基地开展科技帮扶、科技服务、科技"
        "培训等活动，培育和发展科技示范企业、示范基地和示范户共14个。"
    ),
    "4、坚持服务县委县政府科学决策",
    (
        "开展了科普项目申报。向省科协申报了马迹塘科普小镇建设项目，益阳市桃江玉潭学校“人工智能”"
        "创新项目、桃花江竹海风景区公民科学素质提升等3个项目。目前已申报成功了马迹塘镇为2023"
        "年湖南省科普小镇建设项目，获批项目资金50万元。"
    ),
    (
        "完善桃江籍人才专家库。通过与县政协、乡镇科协以及县直单位的联系对接，补充完善了160多名"
        "桃江籍院士专家名录，按照研究方向进行了梳理，并结合与教育、企业的需求，进行了初步对接，特"
        "别是在科普教育合作等方面达成了一定的共识。四大家领导听取科协汇报时，建议县委县政府建立包"
        "括在外桃江籍领导干部、企业家、科技专家教授综合性人才库，在各领域探索以专家工作站的形式支"
        "持企业发展、乡村振兴战略和经济发展，县委县政府采纳了我会的建议，并由县政协牵头组织实施。"
    ),
    (
        "引导专家献计献策。通过参与异地的经促会、乡友会、招商会，开展院士专家工作联络活动，对家乡"
        "的项目建设和企业科技需求进行了推介，实现科技供需精准对接。积极宣传桃江籍杰出科技工作者的"
        "成就和事迹，通过桃江县人民政府门户网站、科普桃江微信公众号等集中宣传进入2021年院士评"
        "选候选人的中国工程物理研究院、中国科协副主席莫则尧，中国国土资源航空物探遥感中心副主任、"
        "总工程师熊盛青两位教授的学术成就和杰出贡献，并盛情邀请两位教授为家乡的发展献智献策。此外"
        "，还通过传统节假日慰问、专家座谈会、微信群等形式，听取专家教授对家乡经济社会发展的建议意"
        "见，收集到了20多条，梳理后的部分意见建议在人大、政协两会上提交了提案。"
    ),
    "四、经济效益评价",
    (
        "1、我协会根据年初预算安排全面分析综合评价本级财政资金使用管理情况，切实提高了财政资金的"
        "使用效益，强化预算资金支出的正确使用，预算配置控制较好。“三公”经费年初预算1.58万元"
        "，2023年“三公”经费实际支出1.30万元，没有超过年初预算。本单位以厉行节约为本，严"
        "格控制在预算指标内。"
    ),
    (
        "2、预算执行方面。2023年预算收支总额控制在预算总额以内。本年本部门预算未进行相关事项"
        "的调整。“三公”经费整体控制较好，未超过年初预算。"
    ),
    "3、预算管理方面，各项预算收支管理制度整体执行较为有效，有待进一步加强。",
    "五、有效性评价和效率性评价",
    (
        "有效性方面：我协会一般预算安排的基本支出保障了协会正常工作的运转，在预算执行方面严格遵守"
        "了各项财政性法规，严守了财政纪律，在资金使用和管理上，严格按照法律法规去执行。保障了资金"
        "的使用效益。主要表现在：一是干职工工资、津补贴等及时发放和干职工养老保险的及时缴纳。二是"
        "保障了协会正常工作的运转和各项工作的顺利开展。三是财政资金使用较规范无虚列支出现象。"
    ),
    ("效率性立面：财政资金使用效率较高，用有限的资金保障了协会正常工作运转和全国科普日系列活动的开展。"),
    "六、绩效评价工作开展情况",
    (
        "根据县部门整体支出绩效评价的工作方案、评价指标。我们组织人员对2023年度整体支出进行了"
        "评价工作，绩效评价工作主要有："
    ),
    "（一）核实数据。对2023年度部门整体支出数据的准确性、真实性进行核实。",
    (
        "（二）结合整体支出评价要求进行综合分析、归纳汇总。加强了预算执行管理，按照预算规定的费用"
        "项目和用途统筹安排支出，在预算金额内严格控制费用支出，控制超支现象的发生，加强了整体支出"
        "开展进度的跟踪，确保了整体绩效目标的完成。"
    ),
    "七、改进措施和有关建议",
    "1、加强对绩效管理的重视程度，强化预算编制，进一步提高预算编制的科学性、严谨性和可靠性。",
    (
        "2、加强财务管理，严格财务审核，事项管理方面，进一步完善项目管理制度，按照预算规定的费用"
        "项目和用途进行资金使用审核、报批支付。"
    ),
    (
        "3、持续抓好“三公”经费的控制管理，把关“三公”经费支出的审核、审批，合理压缩“三公”经"
        "费支出，杜绝挪用和其他预算资金行为。"
    ),
)

SEED002_STAFF = (
    "澧县科学技术协会（简称澧县科协）是独立建制的正科级单位，定行政编3个，事业编3个。"
    "内设机构：科技咨询服务中心。"
)
# The seed line ends in a no-break space, kept verbatim.
SEED002_BASIC = (
    "2021年基本支出年初预算数为88.35万元，是指为保障单位机构正常运转、完成日常工作任务而发生的各项支出，"
    "包括用于基本工资、津贴补贴等人员经费以及办公费、印刷费、水电费、办公设备购置等日常公用经费。\xa0"
)
SEED002_PROJECT = (
    "2021年项目支出年初预算数为46万元，是指单位为完成特定行政工作任务或事业发展目标而发生的支出，"
    "包括有关业务工作经费和运行维护经费。其中：科学技术支出46万元，主要用于科学技术普及等方面；运行维护经费0万元。"
)


def seed000_texts() -> dict[str, str]:
    """The narrative as the caller would pass it: one field per paragraph."""
    return {f"p{i:02d}": p for i, p in enumerate(SEED000_PARAGRAPHS)}


def para(prefix: str) -> str:
    (found,) = [p for p in SEED000_PARAGRAPHS if p.startswith(prefix)]
    return found


def kv(claims: list[Claim]) -> list[tuple[str, Decimal | None]]:
    return [(c.kind, c.value) for c in claims]


def D(s: str) -> Decimal:
    return Decimal(s)


# --------------------------------------------------------------------------- seed 000


def test_seed000_staff_sentence() -> None:
    claims = extract_claims({"概况": "桃江县科学技术协会属行政单位，共有编制人数6人，实有人数7人。"})
    assert kv(claims) == [("authorized_staff", D("6")), ("actual_staff", D("7"))]
    assert [(c.unit, c.source, c.snippet) for c in claims] == [
        ("人", "概况", "共有编制人数6人"),
        ("人", "概况", "实有人数7人"),
    ]


def test_seed000_whole_budget_paragraph() -> None:
    text = para("2023年，县财政批复年初预算")
    claims = extract_claims({"整体支出": text})
    assert kv(claims) == [
        ("initial_budget", D("158.43")),
        ("adjusted_budget", D("266.32")),
        ("adjusted_budget", D("266.32")),  # 全年预算收入合计 is the adjusted budget restated
        ("spent", D("266.32")),
        ("basic_expenditure", D("107.64")),
        ("project_expenditure", D("158.68")),
    ]
    assert [c.snippet for c in claims] == [
        "县财政批复年初预算158.43万元",
        "全年预算调整为266.32万元",
        "全年预算收入合计266.32万元",
        "全年预算整体支出266.32万元",
        "其中基本支出107.64万元",
        "项目支出158.68万元",
    ]
    assert all(c.unit == "万元" for c in claims)
    # The whole paragraph states no "not adjusted" claim; 调整为 is the opposite.
    assert "no_adjustment" not in {c.kind for c in claims}


def test_seed000_basic_expenditure_paragraph_tpc() -> None:
    claims = extract_claims({"基本支出": para("2023年部门预算财政拨款基本支出")})
    assert kv(claims) == [
        ("basic_expenditure", D("107.64")),
        ("public_funds_budget", D("16.25")),  # under the heading "“三公”经费预算：", see module doc
        ("tpc_budget", D("1.58")),
        ("tpc_actual", D("1.30")),
        ("within_budget_tpc", None),
    ]
    by_kind = {c.kind: c for c in claims}
    # The bare "实际支出1.30万元" inherits 三公 from the clause before, and its snippet shows that.
    assert by_kind["tpc_actual"].snippet == "“三公”经费预算1.58万元，实际支出1.30万元"
    assert (
        by_kind["within_budget_tpc"].snippet == "“三公”经费预算1.58万元，实际支出1.30万元，没有超过年初预算"
    )


def test_seed000_section_four() -> None:
    claims = extract_claims(
        {
            "四.1": para("1、我协会根据年初预算安排"),
            "四.2": para("2、预算执行方面"),
        }
    )
    assert [(c.source, c.kind, c.value, c.snippet) for c in claims] == [
        ("四.1", "well_controlled", None, "预算配置控制较好"),
        ("四.1", "tpc_budget", D("1.58"), "“三公”经费年初预算1.58万元"),
        ("四.1", "tpc_actual", D("1.30"), "2023年“三公”经费实际支出1.30万元"),
        ("四.1", "within_budget_tpc", None, "2023年“三公”经费实际支出1.30万元，没有超过年初预算"),
        # issue 11: a control claim without a subject is checked against every budget line
        ("四.1", "within_budget_any", None, "严格控制在预算指标内"),
        ("四.2", "within_budget_total", None, "2023年预算收支总额控制在预算总额以内"),
        ("四.2", "no_adjustment", None, "本年本部门预算未进行相关事项的调整"),
        ("四.2", "well_controlled_tpc", None, "“三公”经费整体控制较好"),
        ("四.2", "within_budget_tpc", None, "“三公”经费整体控制较好，未超过年初预算"),
    ]


def test_seed000_whole_narrative_claims() -> None:
    """Regression over the whole narrative: every claim, and nothing from the many other amounts
    (工资福利支出, 科普活动支出, 获批项目资金50万元, ...)."""
    claims = extract_claims(seed000_texts())
    assert [(c.source, c.kind, c.value) for c in claims] == [
        ("p02", "authorized_staff", D("6")),
        ("p02", "actual_staff", D("7")),
        ("p04", "initial_budget", D("158.43")),
        ("p04", "adjusted_budget", D("266.32")),
        ("p04", "adjusted_budget", D("266.32")),
        ("p04", "spent", D("266.32")),
        ("p04", "basic_expenditure", D("107.64")),
        ("p04", "project_expenditure", D("158.68")),
        ("p09", "basic_expenditure", D("107.64")),
        ("p09", "public_funds_budget", D("16.25")),
        ("p09", "tpc_budget", D("1.58")),
        ("p09", "tpc_actual", D("1.30")),
        ("p09", "within_budget_tpc", None),
        ("p12", "project_expenditure", D("158.68")),
        ("p12", "by_budget", None),  # issue 11: "严格按照年初预算专项使用"
        ("p12", "mostly_completed", None),
        ("p17", "mostly_completed", None),
        ("p32", "well_controlled", None),
        ("p32", "tpc_budget", D("1.58")),
        ("p32", "tpc_actual", D("1.30")),
        ("p32", "within_budget_tpc", None),
        ("p32", "within_budget_any", None),  # issue 11: "严格控制在预算指标内"
        ("p33", "within_budget_total", None),
        ("p33", "no_adjustment", None),
        ("p33", "well_controlled_tpc", None),
        ("p33", "within_budget_tpc", None),
    ]


def test_claim_offsets_point_at_snippets() -> None:
    texts = seed000_texts()
    claims = extract_claims(texts) + extract_counts(texts)
    assert len(claims) == 40  # issue 11: by_budget, within_budget_any and the 原有3家+新增2家 total
    for c in claims:
        assert 0 < len(c.snippet) <= 60
        assert texts[c.source][c.start : c.start + len(c.snippet)] == c.snippet


def test_kinds_are_declared() -> None:
    kinds = {c.kind for c in extract_claims(seed000_texts())}
    assert kinds <= STAFF_KINDS | AMOUNT_KINDS | FLAG_KINDS
    assert not (STAFF_KINDS & AMOUNT_KINDS) and not (AMOUNT_KINDS & FLAG_KINDS)


# --------------------------------------------------------------------------- seed 002


def test_seed002_per_kind_staff_and_sum() -> None:
    claims = extract_claims({"概况": SEED002_STAFF})
    assert [(c.kind, c.value, c.unit, c.snippet) for c in claims] == [
        ("authorized_staff_admin", D("3"), "人", "定行政编3个"),
        ("authorized_staff", D("6"), "人", "定行政编3个，事业编3个"),
        ("authorized_staff_institution", D("3"), "人", "事业编3个"),
    ]
    total = claims[1]
    assert SEED002_STAFF[total.start : total.start + len(total.snippet)] == "定行政编3个，事业编3个"


def test_seed002_basic_initial_budget_is_not_the_unit_budget() -> None:
    claims = extract_claims({"基本支出": SEED002_BASIC, "项目支出": SEED002_PROJECT})
    assert [(c.source, c.kind, c.value) for c in claims] == [
        ("基本支出", "basic_initial_budget", D("88.35")),
        ("项目支出", "project_initial_budget", D("46")),
    ]
    assert "initial_budget" not in {c.kind for c in claims}


# --------------------------------------------------------------------------- phrasing variants


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("编制6人。", [("authorized_staff", D("6"))]),
        ("核定编制6名。", [("authorized_staff", D("6"))]),
        ("定编7人。", [("authorized_staff", D("7"))]),
        ("单位编制数为六人。", [("authorized_staff", D("6"))]),
        (
            "行政编制3名，事业编制4名。",
            [
                ("authorized_staff_admin", D("3")),
                ("authorized_staff", D("7")),
                ("authorized_staff_institution", D("4")),
            ],
        ),
        # An explicit total is kept and no derived sum is added.
        (
            "编制6人，其中行政编制3名，事业编制2名。",
            [
                ("authorized_staff", D("6")),
                ("authorized_staff_admin", D("3")),
                ("authorized_staff_institution", D("2")),
            ],
        ),
        ("实有人员7人。", [("actual_staff", D("7"))]),
        ("在职人员7人，退休2人。", [("actual_staff", D("7"))]),
        ("在职7人。", [("actual_staff", D("7"))]),
        ("2023年实际在职人数7人。", [("actual_staff", D("7"))]),
        ("在职两人。", [("actual_staff", D("2"))]),
        # Spoken numerals read as in a cell (core/numerals.py): 一百二 is 120, not 102.
        ("在职一百二人。", [("actual_staff", D("120"))]),
        ("编制一千零五人。", [("authorized_staff", D("1005"))]),
        ("年初预算158.43万元。", [("initial_budget", D("158.43"))]),
        ("批复年初预算158.43万元。", [("initial_budget", D("158.43"))]),
        ("年初预算数为88.35万元。", [("initial_budget", D("88.35"))]),
        ("本单位2023年年初预算收入158.43万元。", [("initial_budget", D("158.43"))]),
        ("全年预算266.32万元。", [("adjusted_budget", D("266.32"))]),
        ("调整后预算为300万元。", [("adjusted_budget", D("300"))]),
        ("全年支出250万元。", [("spent", D("250"))]),
        ("2023年实际支出250.5万元。", [("spent", D("250.5"))]),
        ("我单位决算支出266.32万元。", [("spent", D("266.32"))]),
        ("基本支出107.64万元。", [("basic_expenditure", D("107.64"))]),
        ("2023年部门项目资金整体支出158.68万元。", [("project_expenditure", D("158.68"))]),
        (
            "“三公”经费预算1.58万元，实际支出1.30万元。",
            [("tpc_budget", D("1.58")), ("tpc_actual", D("1.30"))],
        ),
        (
            '"三公"经费预算1.58万元，实际支出1.30万元。',
            [("tpc_budget", D("1.58")), ("tpc_actual", D("1.30"))],
        ),
        (
            "「三公」经费预算1.58万元，实际支出1.30万元。",
            [("tpc_budget", D("1.58")), ("tpc_actual", D("1.30"))],
        ),
        (
            "三公经费年初预算1.58万元，三公经费实际支出1.30万元。",
            [("tpc_budget", D("1.58")), ("tpc_actual", D("1.30"))],
        ),
        ("公用经费18.47万元。", [("public_funds_actual", D("18.47"))]),
        ("机关运行经费16.25万元。", [("public_funds_actual", D("16.25"))]),
        (
            "公用经费预算16.25万元，公用经费执行18.47万元。",
            [("public_funds_budget", D("16.25")), ("public_funds_actual", D("18.47"))],
        ),
        # Full-width digits and thousands separators in 元.
        ("年初预算１５８．４３万元。", [("initial_budget", D("158.43"))]),
        ("年初预算1,584,300元。", [("initial_budget", D("158.43"))]),
        ("预算未调整。", [("no_adjustment", None)]),
        ("无预算调整。", [("no_adjustment", None)]),
        ("本年预算执行中未作调整。", [("no_adjustment", None)]),
        ("“三公”经费未超预算。", [("within_budget_tpc", None)]),
        ("“三公”经费控制在预算以内。", [("within_budget_tpc", None)]),
        ("公用经费控制在预算以内。", [("within_budget_public", None)]),
        ("机关运行经费没有超过年初预算。", [("within_budget_public", None)]),
        ("部门整体支出控制在预算以内。", [("within_budget_total", None)]),
        ("各项支出控制良好。", [("well_controlled", None)]),
        ("三公经费控制良好。", [("well_controlled_tpc", None)]),
        ("全部完成年度目标。", [("all_completed", None)]),
        ("全面完成了任务。", [("all_completed", None)]),
        ("圆满完成各项任务。", [("all_completed", None)]),
        ("各项工作均已完成。", [("all_completed", None)]),
        ("100%完成。", [("all_completed", None)]),
        ("较好的完成了年度工作目标。", [("mostly_completed", None)]),
        ("较为圆满地完成任务。", [("mostly_completed", None)]),
        ("基本完成。", [("mostly_completed", None)]),
    ],
)
def test_phrasings(text: str, expected: list[tuple[str, Decimal | None]]) -> None:
    assert kv(extract_claims({"f": text})) == expected


def test_full_width_offsets_refer_to_the_original() -> None:
    text = "另，年初预算１５８．４３万元。"
    (claim,) = extract_claims({"f": text})
    assert (claim.kind, claim.value, claim.start, claim.snippet) == (
        "initial_budget",
        D("158.43"),
        2,
        "年初预算１５８．４３万元",
    )


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("全年预算调整为266.32万元。", "no_adjustment"),
        ("部门基本支出预算调整159.64万元。", "no_adjustment"),
        ("部门基本支出预算未调整。", "no_adjustment"),  # about a part, not the unit's budget
        ("人员未作调整。", "no_adjustment"),  # no 预算 in the sentence
        ("2021年基本支出年初预算数为88.35万元。", "initial_budget"),
        ("2021年项目支出年初预算数为46万元。", "initial_budget"),
        ("“三公”经费年初预算1.58万元。", "initial_budget"),
        ("(年初预算科普工作经费48万元)", "initial_budget"),  # a named item, not the unit budget
        ("“三公”经费实际支出1.30万元。", "spent"),
        ("其中：工资福利支出88.69万元，其他商品服务支出18.47万元。", "spent"),
        ("科普活动支出98.68万元。", "spent"),
        ("获批项目资金50万元，实际支出40万元。", "spent"),  # follows a sub-item: not guessed
        ("获批项目资金50万元。", "project_expenditure"),
        ("试点期限两年，项目资金200万元。", "project_expenditure"),
        ("行政编制3名。", "authorized_staff"),  # per kind only; one part is not a total
        ("科学编制《规划》，编制科普专项经费预算。", "authorized_staff"),
        ("专家工作站现有研究人员16人。", "actual_staff"),
        ("严格控制在预算指标内。", "within_budget_total"),  # does not say what was controlled
        ("“三公”经费控制在预算以内。", "within_budget_total"),
        ("未全部完成年度目标。", "all_completed"),
        ("较为圆满地完成任务。", "all_completed"),
        ("较好的完成了年度工作目标。", "all_completed"),
        ("全面推广中国科协企业创新服务中心。", "all_completed"),
        ("预算执行率未超过100%。", "within_budget_total"),
    ],
)
def test_negative_cases(text: str, absent: str) -> None:
    assert absent not in {c.kind for c in extract_claims({"f": text})}


def test_empty_and_multiple_fields() -> None:
    claims = extract_claims({"a": "", "b": "编制6人。", "c": "实有人数7人。"})
    assert [(c.source, c.kind, c.value, c.start) for c in claims] == [
        ("b", "authorized_staff", D("6"), 0),
        ("c", "actual_staff", D("7"), 0),
    ]


# --------------------------------------------------------------------------- repeated counts


def test_seed000_repeated_counts_finds_only_the_demo_conflict() -> None:
    conflicts = repeated_counts(seed000_texts())
    assert len(conflicts) == 1
    (conflict,) = conflicts
    assert conflict.subject == "科技示范企业、示范基地和示范户"
    assert [(c.kind, c.value, c.unit, c.source) for c in conflict.claims] == [
        ("count", D("10"), "个", "p14"),
        ("count", D("14"), "个", "p26"),
    ]
    assert [c.snippet for c in conflict.claims] == [
        "等活动培育各发展科技示范企业、示范基地和示范户共10个",
        "培育和发展科技示范企业、示范基地和示范户共14个",
    ]


def test_seed000_counts_read() -> None:
    counts = extract_counts(seed000_texts())
    assert [(c.source, c.value, c.unit) for c in counts] == [
        ("p02", D("6"), "人"),
        ("p02", D("7"), "人"),
        ("p02", D("2"), "个"),
        ("p14", D("10"), "个"),
        ("p15", D("72"), "台套"),
        ("p15", D("16"), "人"),
        ("p20", D("2"), "项"),
        ("p20", D("3"), "项"),
        ("p20", D("4"), "项"),
        ("p20", D("11"), "个"),
        ("p20", D("28"), "个"),
        ("p23", D("200"), "例"),
        ("p25", D("5"), "家"),  # issue 11: "在原有3家…的基础上，…2家专家工作站" is 5 in all
        ("p26", D("14"), "个"),
    ]


@pytest.mark.parametrize(
    "texts",
    [
        # Same prize names, different competitions and units.
        {"a": "获省一等奖2项、二等奖3项、三等奖4项。", "b": "共获得二等奖11个，三等奖28个。"},
        # Approximate counts of different groups.
        {"a": "代表共500余人，现场咨询和参观群众达2000余人。", "b": "代表共600余人。"},
        # Ordinals, dates, money and percentages are not counts.
        {"a": "组织第38届青少年科技创新大赛，参加44届大赛。", "b": "9月19日举行，2023年，12月部署。"},
        {
            "a": "科普活动经费98.68万元。",
            "b": "科普活动经费50万元。",
            "c": "满意度95%。",
            "d": "满意度100%。",
        },
        # A number before a noun counts the noun: "3个专家工作站" and "2家专家工作站" are not compared.
        {"a": "认真组织实施了3个专家工作站的建设。", "b": "培育建设波贝恩竹木科技2家专家工作站。"},
        # "各" is per item.
        {"a": "另获得三等奖、优胜奖各一个。", "b": "另获得三等奖、优胜奖各两个。"},
    ],
)
def test_repeated_counts_no_false_conflicts(texts: dict[str, str]) -> None:
    assert repeated_counts(texts) == []


def test_repeated_counts_chinese_numerals_and_same_field() -> None:
    conflicts = repeated_counts({"f": "建成科普教育基地三个。后文又说建成科普教育基地共十二个。"})
    assert [(x.subject, [c.value for c in x.claims]) for x in conflicts] == [
        ("科普教育基地", [D("3"), D("12")]),
    ]


def test_repeated_counts_same_value_is_no_conflict() -> None:
    texts = {
        "a": "培育和发展科技示范企业、示范基地和示范户共10个。",
        "b": "科技示范企业、示范基地和示范户10个。",
    }
    assert repeated_counts(texts) == []


def test_repeated_counts_unit_must_match() -> None:
    assert repeated_counts({"a": "开展科技志愿服务活动10次。", "b": "开展科技志愿服务活动8场。"}) == []
    conflicts = repeated_counts({"a": "开展科技志愿服务活动10次。", "b": "全年开展科技志愿服务活动8次。"})
    assert [(x.subject, [c.value for c in x.claims]) for x in conflicts] == [
        ("科技志愿服务活动", [D("10"), D("8")]),
    ]


def _repeated_counts_pairwise(texts: dict[str, str]) -> list[tuple[str, list[Decimal | None]]]:
    """The definition of repeated_counts: every pair of counts compared (quadratic, for the test only)."""
    from perfeval.core.textclaims import _common_tail, _count_items, _same_subject, _Text

    items = [it for source, text in texts.items() if text for it in _count_items(_Text(source, text))]
    group = list(range(len(items)))
    for i, (ki, ci) in enumerate(items):
        for j in range(i):
            if ci.unit == items[j][1].unit and _same_subject(ki, items[j][0]):
                old, new = group[i], group[j]
                group = [new if g == old else g for g in group]
    members: dict[int, list[int]] = {}
    for i, g in enumerate(group):
        members.setdefault(g, []).append(i)
    out = []
    for idx in sorted(members.values(), key=min):
        values = [items[i][1].value for i in idx]
        if len(set(values)) >= 2:
            out.append((_common_tail([items[i][0] for i in idx]), values))
    return out


_COUNT_PHRASES = (
    "培育和发展科技示范企业、示范基地和示范户共",
    "科技示范企业、示范基地和示范户",
    "示范基地和示范户",
    "建成科普教育基地",
    "省二等奖",
    "市二等奖",
    "开展科技志愿服务活动",
    "全年开展科技志愿服务活动",
)


@pytest.mark.parametrize("seed", range(40))
def test_repeated_counts_matches_the_pairwise_definition(seed: int) -> None:
    import random

    rnd = random.Random(seed)
    texts = {
        f"f{k}": "".join(
            f"{rnd.choice(_COUNT_PHRASES)}{rnd.choice((3, 10, 12, 14))}{rnd.choice('个次项')}。"
            for _ in range(rnd.randint(0, 12))
        )
        for k in range(3)
    }
    got = [(c.subject, [x.value for x in c.claims]) for c in repeated_counts(texts)]
    assert got == _repeated_counts_pairwise(texts)


def test_repeated_counts_is_not_quadratic_in_repeated_sentences(monkeypatch: pytest.MonkeyPatch) -> None:
    # Found by tests/test_fuzz.py: 13 report fields of 32,767 characters (one sentence pasted over and
    # over) compared ~70 million pairs of counts, a check took minutes.
    from perfeval.core import textclaims

    calls = 0
    same_subject = textclaims._same_subject

    def counting(a: str, b: str) -> bool:
        nonlocal calls
        calls += 1
        return same_subject(a, b)

    monkeypatch.setattr(textclaims, "_same_subject", counting)
    sentence = "培育和发展科技示范企业、示范基地和示范户共10个，开展科技志愿服务活动8次。"
    conflicts = repeated_counts({"a": sentence * 2000, "b": sentence.replace("10个", "14个") * 10})
    assert [c.subject for c in conflicts] == ["科技示范企业、示范基地和示范户"]
    assert len(conflicts[0].claims) == 2010
    assert calls < 100
