"""Generate the example hall configurations in config/ and their item catalogues.

    .venv/bin/python config/tools/make_demo.py          # (re)write the files
    .venv/bin/python config/tools/make_demo.py --check  # exit 1 when a file differs

Everything here is demo data: invented (but realistic-looking) item codes, invented staff names,
and one documented demo password and predictable device tokens (config/README.md). The output is
deterministic (password hashes use a salt derived from the hall and staff id), so regenerating
changes nothing unless this script changes. Never use these credentials in a real hall.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
from pathlib import Path

from argon2 import PasswordHasher
from argon2.low_level import hash_secret

CONFIG_DIR = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "demo1234"
PORTAL = "https://zwfw.sd.gov.cn/"  # 山东省政务服务网 (爱山东)


# ----------------------------------------------------------------------------------------------
# Credentials


def demo_token(hall_id: str, device_id: str) -> str:
    return f"{hall_id}-{device_id}-token"


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def demo_password_hash(hall_id: str, staff_id: str) -> str:
    """argon2id with the library's default parameters and a salt derived from the ids, so the
    file does not change on every run. Fine for a published demo password, wrong for real ones."""
    hasher = PasswordHasher()
    salt = hashlib.sha256(f"demo-salt:{hall_id}:{staff_id}".encode()).digest()[: hasher.salt_len]
    return hash_secret(
        DEMO_PASSWORD.encode(),
        salt,
        time_cost=hasher.time_cost,
        memory_cost=hasher.memory_cost,
        parallelism=hasher.parallelism,
        hash_len=hasher.hash_len,
        type=hasher.type,
    ).decode()


# ----------------------------------------------------------------------------------------------
# Item codes in the style of the national 事项编码: the implementing department's 统一社会信用代码
# (GB 32100, check characters computed) + item kind + region + sequence. Opaque to the server.

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
KIND_DIGIT = {"许可": "1", "确认": "7", "给付": "8", "裁决": "9", "公共服务": "3", "其他": "0"}


def credit_code(region: str, department: str) -> str:
    digits = str(int(hashlib.sha256(department.encode()).hexdigest(), 16))[:6]
    body = "00" + digits
    org_check = 11 - sum(int(c) * w for c, w in zip(body, _ORG_WEIGHTS)) % 11
    body += {10: "X", 11: "0"}.get(org_check, str(org_check))
    head = "11" + region + body
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(head, _USCC_WEIGHTS))
    return head + _USCC_CHARS[(31 - total % 31) % 31]


def item_code(region: str, department: str, kind: str, seq: int) -> str:
    return f"{credit_code(region, department)}{KIND_DIGIT[kind]}{region}{seq:03d}000"


# ----------------------------------------------------------------------------------------------
# Items. One tuple per item:
# (name, name_en, kind, department, legal_days, promised_days, visits, fees, conditions,
#  materials "、"-separated, basis)

AGENT = "委托他人办理的，提交授权委托书及受托人身份证件"
# Items that cannot be done by an agent (photo, fingerprints, both parties present, an exam).
IN_PERSON = ("护照", "通行证签发", "居民身份证首次", "居民身份证换领", "居民身份证挂失", "结婚登记", "离婚登记",
             "居留许可", "签证", "驾驶员证", "从业资格证", "社会保障卡申领")

ITEMS: dict[str, list[tuple]] = {
    "A": [
        ("企业设立登记", "Company establishment registration", "许可", "行政审批服务局", 15, 0, 0, "不收费",
         "申请人为依法设立的有限责任公司或股份有限公司，名称已自主申报，住所符合规定",
         "公司登记（备案）申请书、公司章程、股东主体资格证明、法定代表人及董事监事经理任职文件及身份证件、住所使用相关文件", "《中华人民共和国公司法》《中华人民共和国市场主体登记管理条例》"),
        ("企业变更登记", "Company change registration", "许可", "行政审批服务局", 15, 0, 1, "不收费",
         "已登记的企业名称、住所、法定代表人、注册资本、经营范围等登记事项发生变更",
         "公司登记（备案）申请书、变更决议或决定、修改后的公司章程或章程修正案、营业执照正副本", "《中华人民共和国市场主体登记管理条例》第二十四条"),
        ("企业注销登记", "Company deregistration", "许可", "行政审批服务局", 15, 1, 1, "不收费",
         "企业已完成清算，清算报告经确认，债权债务已清理完毕",
         "注销登记申请书、依法作出解散的决议或决定、经确认的清算报告、清税证明、营业执照正副本", "《中华人民共和国市场主体登记管理条例》第三十一条"),
        ("企业简易注销登记", "Simplified company deregistration", "许可", "行政审批服务局", 3, 1, 0, "不收费",
         "未发生债权债务或已将债权债务清偿完结，公示期满无异议",
         "简易注销登记申请书、全体投资人承诺书、营业执照正副本", "《中华人民共和国市场主体登记管理条例》第三十三条"),
        ("个体工商户设立登记", "Individual business registration", "许可", "行政审批服务局", 15, 0, 0, "不收费",
         "有经营能力的自然人，经营场所符合规定",
         "个体工商户登记（备案）申请书、经营者身份证件、经营场所使用证明", "《促进个体工商户发展条例》《中华人民共和国市场主体登记管理条例》"),
        ("个体工商户变更登记", "Individual business change registration", "许可", "行政审批服务局", 15, 0, 0, "不收费",
         "个体工商户登记事项发生变化",
         "个体工商户变更登记申请书、经营者身份证件、营业执照正副本", "《促进个体工商户发展条例》"),
        ("农民专业合作社设立登记", "Farmers' cooperative registration", "许可", "行政审批服务局", 20, 3, 1, "不收费",
         "有五名以上符合规定的成员，有章程、组织机构和住所",
         "设立登记申请书、全体设立人签名盖章的设立大会纪要、章程、成员名册及出资清单、法定代表人任职文件", "《中华人民共和国农民专业合作社法》"),
        ("分公司设立登记", "Branch office registration", "许可", "行政审批服务局", 15, 0, 1, "不收费",
         "隶属公司已依法登记，分公司营业场所确定",
         "分公司登记申请书、隶属公司营业执照复印件、负责人任职文件及身份证件、营业场所使用证明", "《中华人民共和国公司法》第十三条"),
        ("营业执照遗失补领", "Replacement business licence", "公共服务", "行政审批服务局", 10, 0, 1, "不收费",
         "营业执照遗失或损坏，已通过国家企业信用信息公示系统发布遗失声明",
         "补领营业执照申请书、遗失公告或损坏的营业执照", "《中华人民共和国市场主体登记管理条例实施细则》"),
        ("公章刻制备案", "Company seal engraving filing", "其他", "公安局", 1, 0, 0, "刻制费用由刻章企业按市场价收取，新办企业首套印章免费",
         "新设立企业或需补刻、更换印章的单位",
         "营业执照复印件、法定代表人身份证件、经办人身份证件", "《山东省公安厅关于印章刻制业治安管理的规定》"),
        ("食品经营许可", "Food business licence", "许可", "行政审批服务局", 20, 5, 1, "不收费",
         "具有与经营的食品品种、数量相适应的经营场所、设备设施、管理人员和管理制度",
         "食品经营许可申请书、营业执照复印件、经营场所平面图及设备布局图、食品安全管理制度文本", "《中华人民共和国食品安全法》第三十五条、《食品经营许可和备案管理办法》"),
        ("公共场所卫生许可", "Public place hygiene licence", "许可", "行政审批服务局", 20, 5, 1, "不收费",
         "住宿、沐浴、美容美发等公共场所经营单位，卫生设施和从业人员健康合格",
         "卫生许可证申请表、营业执照复印件、卫生管理制度、从业人员健康合格证明、场所平面布局图", "《公共场所卫生管理条例》第八条"),
    ],
    "B": [
        ("国有建设用地使用权及房屋所有权首次登记", "First registration of land use and building ownership", "确认", "自然资源和规划局", 30, 5, 1, "住宅每件80元，非住宅每件550元；小微企业免收",
         "房屋已竣工验收，用地手续完备",
         "不动产登记申请书、申请人身份证明、不动产权属来源证明、建设工程符合规划的材料、房屋已竣工的材料、房地产调查或测绘报告", "《不动产登记暂行条例》《不动产登记暂行条例实施细则》"),
        ("不动产转移登记（存量房买卖）", "Transfer registration (second-hand home sale)", "确认", "自然资源和规划局", 30, 1, 1, "住宅每件80元，非住宅每件550元",
         "买卖双方已签订存量房买卖合同，完税，房屋无查封",
         "不动产登记申请书、买卖双方身份证明、不动产权证书、存量房买卖合同、完税凭证、婚姻状况证明", "《不动产登记暂行条例实施细则》第三十八条"),
        ("不动产转移登记（新建商品房买卖）", "Transfer registration (new home purchase)", "确认", "自然资源和规划局", 30, 1, 1, "住宅每件80元",
         "开发企业已办理首次登记，买受人已缴纳契税",
         "不动产登记申请书、买受人身份证明、商品房买卖合同、完税凭证、购房发票", "《不动产登记暂行条例实施细则》第三十八条"),
        ("不动产继承转移登记", "Transfer registration by inheritance", "确认", "自然资源和规划局", 30, 10, 2, "住宅每件80元",
         "被继承人死亡，继承人已确定，继承人之间无争议",
         "不动产登记申请书、继承人身份证明、被继承人死亡证明、亲属关系证明、不动产权证书、继承权公证书或经公示的继承材料", "《中华人民共和国民法典》第一千一百二十一条"),
        ("不动产抵押权首次登记", "Mortgage registration", "确认", "自然资源和规划局", 30, 1, 1, "每件80元，小微企业免收",
         "抵押物权属清楚，已签订主债权合同和抵押合同",
         "不动产登记申请书、抵押双方身份证明、不动产权证书、主债权合同、抵押合同", "《中华人民共和国民法典》第四百零二条"),
        ("不动产抵押权注销登记", "Mortgage discharge registration", "确认", "自然资源和规划局", 30, 0, 0, "不收费",
         "主债权消灭或抵押权人放弃抵押权",
         "不动产登记申请书、不动产登记证明、抵押权消灭的材料", "《不动产登记暂行条例实施细则》第七十四条"),
        ("预购商品房预告登记", "Advance notice registration (off-plan home)", "确认", "自然资源和规划局", 30, 1, 1, "不收费",
         "已签订并备案商品房预售合同",
         "不动产登记申请书、买卖双方身份证明、已备案的商品房预售合同", "《不动产登记暂行条例实施细则》第八十五条"),
        ("不动产变更登记", "Real estate change registration", "确认", "自然资源和规划局", 30, 1, 1, "不收费",
         "权利人姓名或名称、身份证明、坐落、用途等发生变化",
         "不动产登记申请书、申请人身份证明、不动产权证书、变更的证明材料", "《不动产登记暂行条例实施细则》第二十六条"),
        ("不动产更正登记", "Real estate correction registration", "确认", "自然资源和规划局", 30, 5, 1, "不收费",
         "登记簿记载事项错误",
         "不动产登记申请书、申请人身份证明、不动产权证书、证实登记确有错误的材料", "《不动产登记暂行条例实施细则》第七十九条"),
        ("不动产权证书补发", "Replacement real estate certificate", "公共服务", "自然资源和规划局", 30, 5, 1, "每本10元",
         "不动产权证书遗失、灭失，已在媒体或门户网站公告作废",
         "补发申请书、申请人身份证明、遗失公告", "《不动产登记暂行条例实施细则》第二十二条"),
        ("不动产登记资料查询", "Real estate register inquiry", "公共服务", "自然资源和规划局", 0, 0, 1, "不收费",
         "权利人、利害关系人查询不动产登记资料",
         "查询申请书、查询人身份证明、利害关系证明材料（利害关系人查询时）", "《不动产登记资料查询暂行办法》"),
        ("不动产交易契税申报", "Deed tax filing for property transactions", "其他", "税务局", 0, 0, 1, "按《中华人民共和国契税法》规定的税率计征",
         "不动产权属转移的承受方",
         "申请人身份证明、不动产买卖合同、购房发票或评估价格资料、家庭住房情况查询结果", "《中华人民共和国契税法》"),
    ],
    "C": [
        ("城乡居民基本养老保险参保登记", "Urban and rural residents' basic pension enrolment", "公共服务", "人力资源和社会保障局", 0, 0, 0, "不收费",
         "年满16周岁（不含在校学生），非国家机关和事业单位工作人员，不属于职工基本养老保险覆盖范围的城乡居民",
         "居民身份证或社会保障卡、户口簿（首次参保时）", "《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）"),
        ("企业职工基本养老保险参保登记", "Employee pension insurance enrolment", "公共服务", "人力资源和社会保障局", 0, 0, 0, "不收费",
         "依法参加职工基本养老保险的用人单位及其职工",
         "营业执照或批准成立文件、单位公章、职工身份证件、劳动合同", "《中华人民共和国社会保险法》第五十七条、第五十八条"),
        ("灵活就业人员参保登记", "Pension enrolment for flexible workers", "公共服务", "人力资源和社会保障局", 0, 0, 0, "不收费",
         "无雇工的个体工商户、未在用人单位参加社会保险的非全日制从业人员及其他灵活就业人员",
         "居民身份证或社会保障卡", "《中华人民共和国社会保险法》第十条"),
        ("个人权益记录查询打印", "Personal social insurance record printout", "公共服务", "人力资源和社会保障局", 0, 0, 0, "不收费",
         "参保人员本人或其委托人",
         "居民身份证或社会保障卡", "《社会保险个人权益记录管理办法》"),
        ("养老保险关系转移接续", "Pension insurance transfer", "公共服务", "人力资源和社会保障局", 45, 15, 0, "不收费",
         "参保人员跨统筹地区流动就业",
         "居民身份证或社会保障卡、参保缴费凭证", "《城镇企业职工基本养老保险关系转移接续暂行办法》"),
        ("企业职工基本养老保险待遇申领", "Employee pension benefit claim", "给付", "人力资源和社会保障局", 20, 10, 1, "不收费",
         "达到法定退休年龄且累计缴费满15年",
         "居民身份证或社会保障卡、退休审批材料", "《中华人民共和国社会保险法》第十六条"),
        ("城乡居民养老保险待遇申领", "Residents' pension benefit claim", "给付", "人力资源和社会保障局", 20, 5, 1, "不收费",
         "年满60周岁、累计缴费满15年且未领取国家规定的基本养老保障待遇",
         "居民身份证或社会保障卡、户口簿", "《国务院关于建立统一的城乡居民基本养老保险制度的意见》"),
        ("失业保险金申领", "Unemployment benefit claim", "给付", "人力资源和社会保障局", 15, 3, 0, "不收费",
         "失业前用人单位和本人已缴纳失业保险费满一年，非因本人意愿中断就业，已进行失业登记并有求职要求",
         "居民身份证或社会保障卡、解除或终止劳动关系证明", "《失业保险条例》第十四条"),
        ("工伤认定申请", "Work injury determination", "确认", "人力资源和社会保障局", 60, 30, 2, "不收费",
         "职工发生事故伤害或被诊断为职业病，在规定期限内提出申请",
         "工伤认定申请表、与用人单位存在劳动关系的证明材料、医疗诊断证明或职业病诊断证明书", "《工伤保险条例》第十七条、第二十条"),
        ("社会保障卡申领", "Social security card application", "公共服务", "人力资源和社会保障局", 30, 0, 1, "不收费",
         "参保人员首次申领社会保障卡",
         "居民身份证、近期免冠彩色照片（可现场采集）", "《社会保障卡管理办法》"),
        ("社会保障卡挂失补换", "Social security card replacement", "公共服务", "人力资源和社会保障局", 30, 0, 1, "不收费",
         "社会保障卡遗失、损坏或信息变更",
         "居民身份证", "《社会保障卡管理办法》"),
        ("丧葬补助金、抚恤金申领", "Funeral grant and survivors' pension claim", "给付", "人力资源和社会保障局", 20, 5, 1, "不收费",
         "参加基本养老保险的个人因病或非因工死亡",
         "死亡证明、申领人身份证件、与死者关系证明", "《中华人民共和国社会保险法》第十七条"),
    ],
    "D": [
        ("城乡居民基本医疗保险参保登记", "Residents' basic medical insurance enrolment", "公共服务", "医疗保障局", 0, 0, 0, "不收费（个人缴费按年度标准缴纳）",
         "未参加职工基本医疗保险的本市户籍居民及持居住证的常住人员",
         "居民身份证或户口簿、居住证（非本市户籍）", "《中华人民共和国社会保险法》第二十五条"),
        ("职工基本医疗保险参保登记", "Employee medical insurance enrolment", "公共服务", "医疗保障局", 0, 0, 0, "不收费",
         "用人单位及其职工、灵活就业人员",
         "营业执照或单位登记证书、职工身份证件", "《中华人民共和国社会保险法》第二十三条"),
        ("基本医疗保险关系转移接续", "Medical insurance transfer", "公共服务", "医疗保障局", 45, 10, 0, "不收费",
         "参保人员跨统筹地区流动",
         "居民身份证或医保电子凭证、参保凭证", "《流动就业人员基本医疗保障关系转移接续暂行办法》"),
        ("异地就医备案", "Registration for medical treatment in another city", "公共服务", "医疗保障局", 0, 0, 0, "不收费",
         "异地安置退休、异地长期居住、常驻异地工作或转诊转院的参保人员",
         "医保电子凭证或社会保障卡、异地就医备案个人承诺书", "《关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》"),
        ("门诊慢特病待遇认定", "Chronic and special disease outpatient benefit", "确认", "医疗保障局", 20, 10, 1, "不收费",
         "参保人员患有规定范围内的门诊慢特病",
         "门诊慢特病申请表、二级及以上医疗机构诊断证明、相关检查报告", "《山东省医疗保障局关于规范门诊慢特病管理的通知》"),
        ("医疗费用手工（零星）报销", "Manual medical expense reimbursement", "给付", "医疗保障局", 30, 20, 1, "不收费",
         "参保人员因急诊抢救等原因未能直接结算的医疗费用",
         "医保电子凭证或社会保障卡、医疗费用发票、费用明细清单、出院记录或诊断证明", "《中华人民共和国社会保险法》第二十九条"),
        ("生育津贴支付", "Maternity allowance payment", "给付", "医疗保障局", 20, 10, 0, "不收费",
         "参加职工基本医疗保险（生育保险）的女职工生育或计划生育手术",
         "医保电子凭证、出生医学证明或手术证明", "《中华人民共和国社会保险法》第五十六条"),
        ("医疗保险参保缴费凭证打印", "Medical insurance payment certificate", "公共服务", "医疗保障局", 0, 0, 0, "不收费",
         "参保人员本人或其委托人",
         "医保电子凭证或居民身份证", "《医疗保障经办政务服务事项清单》"),
        ("医疗救助申请", "Medical assistance application", "给付", "医疗保障局", 30, 15, 1, "不收费",
         "特困人员、低保对象、返贫致贫人口等医疗救助对象",
         "医疗救助申请表、身份证明、医疗费用发票及明细、救助对象身份证明", "《山东省医疗救助办法》"),
    ],
    "E": [
        ("住房公积金个人提取（购房）", "Provident fund withdrawal for home purchase", "公共服务", "住房公积金中心", 3, 0, 0, "不收费",
         "购买、建造、翻建、大修自住住房的缴存职工及其配偶",
         "居民身份证、购房合同及发票或不动产权证书、本人银行卡", "《住房公积金管理条例》第二十四条"),
        ("住房公积金个人提取（租房）", "Provident fund withdrawal for rent", "公共服务", "住房公积金中心", 3, 0, 0, "不收费",
         "本人及配偶在缴存地无自有住房且租赁住房",
         "居民身份证、本人银行卡、住房租赁合同（按租金提取时）", "《住房公积金管理条例》第二十四条"),
        ("住房公积金个人提取（离退休）", "Provident fund withdrawal on retirement", "公共服务", "住房公积金中心", 3, 0, 0, "不收费",
         "缴存职工离休、退休",
         "居民身份证、离退休证明或养老保险待遇领取证明、本人银行卡", "《住房公积金管理条例》第二十四条"),
        ("住房公积金个人住房贷款", "Provident fund home loan", "公共服务", "住房公积金中心", 15, 10, 2, "不收费",
         "连续足额缴存住房公积金满6个月，购买自住住房",
         "借款申请表、借款人及配偶身份证件、婚姻状况证明、购房合同、首付款凭证、收入证明", "《住房公积金管理条例》第二十六条"),
        ("住房公积金贷款提前还款", "Early repayment of provident fund loan", "公共服务", "住房公积金中心", 0, 0, 1, "不收费",
         "借款人申请部分或全部提前偿还住房公积金贷款",
         "借款人身份证件、借款合同、还款银行卡", "《住房公积金管理条例》"),
        ("单位住房公积金缴存登记", "Employer provident fund registration", "公共服务", "住房公积金中心", 0, 0, 0, "不收费",
         "新设立单位或首次缴存住房公积金的单位",
         "营业执照或单位登记证书、单位公章、经办人身份证件", "《住房公积金管理条例》第十四条"),
        ("住房公积金个人账户设立", "Personal provident fund account opening", "公共服务", "住房公积金中心", 0, 0, 0, "不收费",
         "单位新录用职工",
         "职工身份证件、单位缴存登记信息", "《住房公积金管理条例》第十五条"),
        ("住房公积金异地转移接续", "Provident fund transfer between cities", "公共服务", "住房公积金中心", 3, 0, 0, "不收费",
         "缴存职工在异地重新就业并缴存住房公积金",
         "居民身份证、转入地账户信息", "《全国住房公积金异地转移接续业务操作规程》"),
        ("个人住房公积金缴存使用证明出具", "Provident fund deposit certificate", "公共服务", "住房公积金中心", 0, 0, 0, "不收费",
         "缴存职工本人",
         "居民身份证", "《住房公积金管理条例》"),
    ],
    "F": [
        ("居民身份证换领", "Resident identity card renewal", "确认", "公安局", 60, 20, 1, "20元（换领）",
         "居民身份证有效期满或登记项目变更",
         "原居民身份证、户口簿（登记项目变更时）", "《中华人民共和国居民身份证法》第十一条、第二十条"),
        ("居民身份证首次申领", "First resident identity card", "确认", "公安局", 60, 20, 1, "20元",
         "年满十六周岁的本市户籍公民，或自愿申领的未满十六周岁公民",
         "户口簿、监护人身份证件（未满十六周岁时）", "《中华人民共和国居民身份证法》第二条"),
        ("居民身份证挂失补领", "Replacement resident identity card", "确认", "公安局", 60, 20, 1, "40元（补领）",
         "居民身份证丢失",
         "户口簿", "《中华人民共和国居民身份证法》第十一条"),
        ("临时居民身份证申领", "Temporary resident identity card", "确认", "公安局", 3, 0, 1, "10元",
         "正在申领、换领、补领居民身份证期间急需使用",
         "户口簿、居民身份证受理回执", "《中华人民共和国临时居民身份证管理办法》"),
        ("出生登记", "Birth registration", "确认", "公安局", 0, 0, 1, "不收费",
         "婴儿出生后一个月内，由户主、亲属、抚养人或邻居申报",
         "出生医学证明、父母双方户口簿及居民身份证、父母结婚证", "《中华人民共和国户口登记条例》第七条"),
        ("市内户口迁移", "Household transfer within the city", "确认", "公安局", 20, 3, 1, "不收费",
         "在本市范围内变更合法稳定住所",
         "户口簿、居民身份证、合法稳定住所证明", "《中华人民共和国户口登记条例》第十八条"),
        ("人才落户", "Household registration for talents", "确认", "公安局", 20, 3, 1, "不收费",
         "符合本市人才落户政策的高校毕业生和技术技能人才",
         "居民身份证、学历学位证书或职业资格证书、落户地址证明", "《济南市人才落户办法》"),
        ("居住证申领", "Residence permit application", "确认", "公安局", 15, 7, 1, "不收费（首次申领）",
         "离开常住户口所在地到本市居住半年以上，有合法稳定就业、住所或连续就读",
         "居民身份证、合法稳定住所证明或就业（就读）证明、近期免冠照片", "《居住证暂行条例》第九条"),
        ("户籍证明开具", "Household registration certificate", "公共服务", "公安局", 0, 0, 1, "不收费",
         "本市户籍人员因办事需要证明户籍信息",
         "居民身份证、户口簿", "《公安部关于规范户籍证明的通知》"),
        ("变更更正姓名", "Change of registered name", "确认", "公安局", 20, 10, 1, "不收费",
         "未满十八周岁由监护人申请，年满十八周岁由本人申请，且理由正当",
         "户口簿、居民身份证、变更理由证明材料", "《中华人民共和国户口登记条例》第十八条"),
    ],
    "G": [
        ("普通护照签发", "Ordinary passport issuance", "许可", "公安局", 7, 7, 1, "120元/本",
         "中国公民因前往外国定居、探亲、学习、就业、旅行、从事商务活动等非公务原因出国",
         "居民身份证、近期免冠彩色照片（可现场采集）", "《中华人民共和国护照法》第五条"),
        ("普通护照换发补发", "Passport renewal or replacement", "许可", "公安局", 7, 7, 1, "120元/本",
         "护照有效期即将届满、签证页即将使用完毕、损毁或遗失",
         "居民身份证、原护照（换发时）", "《中华人民共和国护照法》第十一条"),
        ("往来港澳通行证签发", "Exit-entry permit for Hong Kong and Macao", "许可", "公安局", 7, 7, 1, "60元/证",
         "内地居民前往港澳地区",
         "居民身份证、近期免冠彩色照片（可现场采集）", "《中国公民因私事往来香港地区或者澳门地区的暂行管理办法》"),
        ("往来港澳通行证签注", "Endorsement for Hong Kong and Macao", "许可", "公安局", 7, 0, 0, "一次有效15元，二次有效30元",
         "持有有效往来港澳通行证的内地居民",
         "往来港澳通行证（可在自助签注机办理）", "《中国公民因私事往来香港地区或者澳门地区的暂行管理办法》"),
        ("往来台湾通行证签发", "Travel permit to Taiwan", "许可", "公安局", 7, 7, 1, "60元/证",
         "大陆居民前往台湾地区",
         "居民身份证、近期免冠彩色照片（可现场采集）", "《中国公民往来台湾地区管理办法》"),
        ("赴台签注", "Endorsement for Taiwan", "许可", "公安局", 7, 0, 0, "一次有效15元",
         "持有有效往来台湾通行证的大陆居民",
         "往来台湾通行证", "《中国公民往来台湾地区管理办法》"),
        ("外国人签证延期换发补发", "Foreigner visa extension or replacement", "许可", "公安局", 7, 7, 1, "按国家规定的收费标准",
         "在华外国人签证停留期限需延长或签证损毁遗失",
         "护照及签证、外国人签证证件申请表、照片、住宿登记证明、申请事由证明", "《中华人民共和国出境入境管理法》第二十九条"),
        ("外国人工作类居留许可", "Foreigner residence permit (work)", "许可", "公安局", 15, 15, 1, "按国家规定的收费标准",
         "已取得外国人工作许可的外国人",
         "护照、外国人签证证件申请表、照片、工作许可证明、单位函件、住宿登记证明", "《中华人民共和国外国人入境出境管理条例》第十五条"),
        ("出入境记录查询", "Border crossing record inquiry", "公共服务", "公安局", 0, 0, 1, "不收费",
         "本人查询或委托他人查询出入境记录",
         "居民身份证", "《中华人民共和国出境入境管理法》"),
    ],
    "H": [
        ("发票领用", "Invoice collection", "其他", "税务局", 0, 0, 0, "不收费",
         "已办理税务信息确认、需要领用发票的纳税人",
         "经办人身份证件、税控设备或数电账户", "《中华人民共和国发票管理办法》第十五条"),
        ("代开增值税发票", "Issuing VAT invoices on behalf", "其他", "税务局", 0, 0, 0, "不收费",
         "已办理税务登记的小规模纳税人及自然人",
         "代开发票申请表、经办人身份证件、合同或证明交易真实性的材料", "《中华人民共和国发票管理办法》第十六条"),
        ("个人所得税综合所得汇算清缴", "Annual individual income tax reconciliation", "其他", "税务局", 0, 0, 0, "不收费",
         "取得综合所得需要办理汇算清缴的居民个人",
         "居民身份证、收入及扣除项目相关资料", "《中华人民共和国个人所得税法》第十条"),
        ("纳税人税务信息确认", "Taxpayer information confirmation", "其他", "税务局", 0, 0, 0, "不收费",
         "新设立登记的市场主体首次办理涉税事项",
         "经办人身份证件", "《中华人民共和国税收征收管理法》第十五条"),
        ("清税证明开具", "Tax clearance certificate", "其他", "税务局", 20, 0, 1, "不收费",
         "办理注销的纳税人已结清应纳税款、滞纳金、罚款，缴销发票",
         "注销税务登记申请表、经办人身份证件", "《中华人民共和国税收征收管理法实施细则》第十六条"),
        ("跨区域涉税事项报告", "Cross-region tax matters report", "其他", "税务局", 0, 0, 0, "不收费",
         "跨省（市）临时从事生产经营活动的纳税人",
         "跨区域涉税事项报告表、经办人身份证件", "《国家税务总局关于创新跨区域涉税事项报验管理制度的通知》"),
        ("开具税收完税证明", "Tax payment certificate", "其他", "税务局", 0, 0, 0, "不收费",
         "已缴纳税款的纳税人",
         "经办人身份证件", "《税收票证管理办法》"),
        ("个人房屋出租代开发票", "Invoices for private home rentals", "其他", "税务局", 0, 0, 1, "不收费",
         "出租住房的自然人",
         "居民身份证、房屋租赁合同、不动产权证书", "《中华人民共和国发票管理办法》"),
        ("车辆购置税申报", "Vehicle purchase tax filing", "其他", "税务局", 0, 0, 0, "按车辆计税价格的10%计征",
         "在境内购置应税车辆的单位和个人",
         "车辆购置税纳税申报表、购车发票、车辆合格证明、纳税人身份证明", "《中华人民共和国车辆购置税法》"),
    ],
    "J": [
        ("机动车驾驶证换证", "Driving licence renewal", "许可", "公安局", 1, 0, 1, "10元/本",
         "机动车驾驶证有效期满前九十日内或信息变更",
         "居民身份证、县级或部队团级以上医疗机构出具的身体条件证明（可网络传输）", "《机动车驾驶证申领和使用规定》第六十八条"),
        ("机动车驾驶证补证", "Replacement driving licence", "许可", "公安局", 1, 0, 1, "10元/本",
         "机动车驾驶证遗失或损毁无法辨认",
         "居民身份证", "《机动车驾驶证申领和使用规定》第七十三条"),
        ("机动车检验合格标志核发", "Vehicle inspection sticker", "公共服务", "公安局", 1, 0, 0, "不收费",
         "机动车经安全技术检验合格且交通违法和事故处理完毕",
         "机动车行驶证、交强险凭证、车船税纳税或免税证明", "《中华人民共和国道路交通安全法》第十三条"),
        ("道路普通货物运输经营许可", "Road freight transport licence", "许可", "行政审批服务局", 20, 5, 1, "不收费",
         "有与其经营业务相适应并经检测合格的车辆，有符合规定的驾驶人员和安全生产管理制度",
         "道路货物运输经营申请表、负责人身份证明、车辆行驶证、驾驶人员从业资格证、安全生产管理制度文本", "《中华人民共和国道路运输条例》第二十四条"),
        ("道路运输从业人员从业资格证核发", "Road transport worker qualification", "许可", "交通运输局", 10, 5, 1, "不收费",
         "取得相应机动车驾驶证，考试合格",
         "从业资格申请表、居民身份证、机动车驾驶证", "《道路运输从业人员管理规定》"),
        ("网络预约出租汽车驾驶员证核发", "Ride-hailing driver licence", "许可", "交通运输局", 20, 5, 1, "不收费",
         "取得相应准驾车型驾驶证并具有3年以上驾驶经历，无不良记录，考试合格",
         "申请表、居民身份证、机动车驾驶证、无犯罪记录证明", "《网络预约出租汽车经营服务管理暂行办法》第十四条"),
        ("网络预约出租汽车运输证核发", "Ride-hailing vehicle permit", "许可", "行政审批服务局", 20, 5, 1, "不收费",
         "车辆符合本市网约车车辆技术标准",
         "申请表、机动车行驶证、车辆安装卫星定位装置和应急报警装置证明", "《网络预约出租汽车经营服务管理暂行办法》第十二条"),
        ("道路运输证配发", "Road transport certificate for vehicles", "许可", "交通运输局", 10, 1, 1, "不收费",
         "已取得道路运输经营许可的经营者新增营运车辆",
         "机动车行驶证、车辆技术等级评定材料", "《道路运输车辆技术管理规定》"),
        ("机动车驾驶人身体条件证明提交", "Driver health certificate submission", "公共服务", "公安局", 0, 0, 0, "不收费",
         "年龄在70周岁以上或持大中型客货车驾驶证的驾驶人每年提交",
         "居民身份证、医疗机构出具的身体条件证明", "《机动车驾驶证申领和使用规定》第七十条"),
    ],
    "K": [
        ("建筑工程施工许可证核发", "Construction permit", "许可", "行政审批服务局", 7, 3, 1, "不收费",
         "已办理用地批准手续，已取得建设工程规划许可证，施工图已审查，已确定施工企业",
         "施工许可申请表、建设工程规划许可证、施工合同、施工图设计文件审查意见、安全施工措施资料", "《中华人民共和国建筑法》第八条"),
        ("城市建筑垃圾处置核准", "Construction waste disposal approval", "许可", "行政审批服务局", 20, 5, 1, "不收费",
         "有建筑垃圾分类处置方案和运输、消纳合同",
         "建筑垃圾处置核准申请表、运输合同、消纳场所证明", "《城市建筑垃圾管理规定》"),
        ("特种设备使用登记", "Special equipment registration", "许可", "行政审批服务局", 15, 5, 1, "不收费",
         "特种设备投入使用前或投入使用后30日内",
         "使用登记表、产品合格证、监督检验证明、安装改造维修竣工资料", "《中华人民共和国特种设备安全法》第三十三条"),
        ("最低生活保障审核确认", "Minimum living allowance", "给付", "民政局", 30, 20, 1, "不收费",
         "共同生活的家庭成员人均收入低于当地最低生活保障标准且财产状况符合规定",
         "申请书、家庭成员身份证件及户口簿、家庭收入和财产状况声明、授权核对家庭经济状况的书面声明", "《社会救助暂行办法》第十一条"),
        ("残疾人证核发", "Disability certificate", "确认", "残疾人联合会", 30, 20, 2, "不收费",
         "符合残疾标准的本市户籍居民",
         "居民身份证、户口簿、近期免冠照片、残疾评定表", "《中华人民共和国残疾人证管理办法》"),
        ("老年人优待证办理", "Senior citizen privilege card", "公共服务", "民政局", 0, 0, 1, "不收费",
         "年满60周岁的本市户籍老年人及常住老年人",
         "居民身份证、近期免冠照片（可现场采集）", "《山东省老年人权益保障条例》"),
        ("法律援助申请", "Legal aid application", "给付", "司法局", 7, 5, 1, "不收费",
         "经济困难且法律援助事项属于规定范围的公民",
         "法律援助申请表、居民身份证、经济困难状况说明、与所申请事项有关的材料", "《中华人民共和国法律援助法》第四十一条"),
        ("退役军人优待证申领", "Veterans' privilege card", "公共服务", "退役军人事务局", 30, 20, 1, "不收费",
         "本市户籍的退役军人和其他优抚对象",
         "居民身份证、退役证件或优抚对象证明、近期免冠照片", "《中华人民共和国退役军人保障法》"),
    ],
    "BF": [
        ("“办不成事”反映受理", "'Could not get it done' complaints", "其他", "行政审批服务局", 0, 3, 1, "不收费",
         "在线下窗口或线上渠道办事遇到困难、未能办成的企业和群众",
         "居民身份证或营业执照、办事过程中的相关材料（如有）", "《山东省优化营商环境条例》《国务院办公厅关于深入推进政务服务“一件事一次办”的意见》"),
        ("政务服务投诉受理", "Government service complaints", "其他", "行政审批服务局", 0, 5, 1, "不收费",
         "对政务服务工作人员或办事流程有意见建议的企业和群众",
         "投诉人身份证件、投诉事项说明及相关证据", "《政务服务评价工作指南》（GB/T 39735）"),
    ],
    "BD": [
        ("重点项目帮办代办", "Assisted handling for key projects", "其他", "行政审批服务局", 0, 0, 1, "不收费",
         "纳入市级重点项目的企业，自愿申请帮办代办服务",
         "帮办代办委托书、企业营业执照、项目立项文件", "《山东省优化营商环境条例》第三十条"),
        ("企业开办全程帮办", "Full assistance for business start-up", "其他", "行政审批服务局", 0, 0, 1, "不收费",
         "首次在本市开办企业、需要指导的申请人",
         "申请人身份证件、企业名称自主申报信息", "《山东省优化营商环境条例》"),
        ("老年人残疾人帮办代办", "Assisted handling for the elderly and disabled", "其他", "行政审批服务局", 0, 0, 1, "不收费",
         "办事有困难的老年人、残疾人等特殊群体",
         "本人身份证件、所办事项所需材料", "《国务院办公厅关于切实解决老年人运用智能技术困难的实施方案》"),
    ],
}

PROCESS = {
    "许可": ("取号或预约", "窗口受理", "审查", "作出决定", "制证送达（邮寄或窗口领取）"),
    "确认": ("取号或预约", "窗口受理", "审核", "确认办结"),
    "给付": ("提出申请", "窗口受理", "审核", "公示（如需）", "发放"),
    "公共服务": ("取号", "窗口受理", "即时办结"),
    "其他": ("取号", "窗口受理", "办理", "办结告知"),
    "裁决": ("提出申请", "受理", "审理", "作出裁决"),
}

def process_steps(kind: str, promised_days: int) -> list[str]:
    steps = list(PROCESS[kind])
    if promised_days > 0 and steps[-1] == "即时办结":
        steps[-1:] = ["审核", f"{promised_days}个工作日内办结并告知结果"]
    return steps


JINAN_QUEUES = [
    # id, name, name_en, default_service_s, daily_limit, kiosk_visible, location
    ("A", "企业开办", "Business start-up", 900, None, True, "一楼A区"),
    ("B", "不动产登记", "Real estate registration", 1200, None, True, "一楼B区"),
    ("C", "社会保险", "Social insurance", 600, None, True, "二楼A区"),
    ("D", "医疗保障", "Medical insurance", 480, None, True, "二楼A区"),
    ("E", "住房公积金", "Housing provident fund", 600, None, True, "二楼B区"),
    ("F", "户政", "Household registration", 600, None, True, "二楼C区"),
    ("G", "出入境", "Exit and entry", 420, 300, True, "二楼C区"),
    ("H", "税务", "Taxation", 720, None, True, "一楼A区"),
    ("J", "交通运输", "Transport and vehicles", 600, 200, True, "三楼A区"),
    ("K", "综合受理", "General acceptance", 600, None, True, "一楼大厅综合窗口"),
    ("BF", "办不成事反映", "'Could not get it done' desk", 1200, None, False, "一楼大厅东侧"),
    ("BD", "帮办代办", "Assisted handling", 1800, None, True, "一楼大厅东侧"),
]

DEPARTMENT_PREFIX = {"jn-city": "济南市", "jn-lixia": "济南市历下区", "jn-lixia-qcl": "济南市历下区"}


def build_items(hall_id: str, region: str, rows: dict[str, list[tuple]], locations: dict[str, str],
                seq_base: int = 100) -> list[dict]:
    items = []
    seq = seq_base
    for queue, entries in rows.items():
        for name, name_en, kind, dept, legal, promised, visits, fees, conditions, materials, basis in entries:
            seq += 1
            department = ("国家税务总局" + DEPARTMENT_PREFIX[hall_id] if dept == "税务局"
                          else DEPARTMENT_PREFIX[hall_id] + dept)
            material_list = [m for m in materials.split("、") if m]
            if any(word in name for word in IN_PERSON):
                conditions += "；须本人到场办理"
            elif visits > 0:
                material_list.append(AGENT)
            guide = {
                "conditions": conditions,
                "materials": material_list,
                "process": process_steps(kind, promised),
                "legal_limit_days": legal,
                "promised_limit_days": promised,
                "fees": fees,
                "visits": visits,
                "location": locations[queue],
                "basis": basis,
            }
            if visits == 0:
                guide["online_url"] = PORTAL
            items.append({
                "code": item_code(region, department, kind, seq),
                "name": name,
                "name_en": name_en,
                "queue": queue,
                "guide": guide,
            })
    return items


# ----------------------------------------------------------------------------------------------
# TOML output (small, explicit writer: keeps comments and the compact session form)


def tv(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON string escapes are valid TOML
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(tv(v) for v in value) + "]"
    raise TypeError(value)


def kv(out: list[str], indent: str, table: dict) -> None:
    for key, value in table.items():
        if value is None or (key == "name_en" and not value):
            continue
        out.append(f"{indent}{key} = {tv(value)}")


def sessions(*pairs: str) -> list[list[str]]:
    return [pair.split("-") for pair in pairs]


def hall_toml(hall: dict) -> str:
    out: list[str] = ["[[halls]]"]
    tables = ("hours", "queues", "items", "windows", "staff", "devices", "evaluation", "_comment")
    kv(out, "", {k: hall[k] for k in hall if k not in tables})
    if hall.get("hours"):
        hours = hall["hours"]
        out += ["", "  [halls.hours]"]
        out.append(f"  last_ticket_minutes_before_end = {hours['last_ticket_minutes_before_end']}")
        for rule in hours["rules"]:
            out += ["", "  [[halls.hours.rules]]"]
            kv(out, "  ", rule)
        for override in hours.get("dates", []):
            out += ["", "  [[halls.hours.dates]]"]
            out.append(f"  date = {override['date']}")
            kv(out, "  ", {k: v for k, v in override.items() if k != "date"})
    for queue in hall["queues"]:
        out += ["", "  [[halls.queues]]"]
        kv(out, "  ", queue)
    if hall.get("items"):
        out += ["", "  # Items listed here are merged with those of item_catalogue."]
    for item in hall.get("items", []):
        out += ["", "  [[halls.items]]"]
        kv(out, "  ", {k: v for k, v in item.items() if k != "guide"})
        out.append("    [halls.items.guide]")
        kv(out, "    ", item["guide"])
    for window in hall["windows"]:
        out += ["", "  [[halls.windows]]"]
        kv(out, "  ", window)
    out += ["", f"  # Every staff password is the demo password {DEMO_PASSWORD!r} (config/README.md)."]
    for person in hall["staff"]:
        out += ["", "  [[halls.staff]]"]
        kv(out, "  ", person)
    out += ["", "  # Device tokens are \"<hall id>-<device id>-token\" (config/README.md)."]
    for device in hall["devices"]:
        out += ["", "  [[halls.devices]]"]
        kv(out, "  ", device)
    if hall.get("evaluation"):
        out += ["", "  # 好差评 (docs/evaluation.md): the default reasons and working days; no upload here.", "  [halls.evaluation]"]
        kv(out, "  ", hall["evaluation"])
    return "\n".join(out) + "\n"


def header(title: str) -> str:
    return (
        f"# {title}\n"
        "# Generated by config/tools/make_demo.py: edit the script, not this file.\n"
        "# Demo data only: invented item codes and staff, published demo credentials (config/README.md).\n"
        "# Keys are described in docs/config.md.\n\n"
    )


SERVER_TABLE = (
    "[server]\n"
    "secret_key_file = \"secret.key\"   # inside the data folder; created on first start\n"
    "durability = \"full\"\n"
    "device_stale_s = 180\n"
    "event_retention = 5000\n\n"
)


# ----------------------------------------------------------------------------------------------
# Staff and devices


def staff_entry(hall_id: str, staff_id: str, name: str, windows: list[str], role: str = "staff") -> dict:
    entry = {"id": staff_id, "name": name, "password_hash": demo_password_hash(hall_id, staff_id),
             "windows": windows}
    if role != "staff":
        entry["role"] = role
    return entry


def device(hall_id: str, device_id: str, kind: str, name: str) -> dict:
    return {"id": device_id, "kind": kind, "name": name,
            "token_sha256": token_sha256(demo_token(hall_id, device_id))}


JINAN_NAMES = (
    "王芳 李娜 张伟 刘洋 陈静 杨帆 赵敏 黄磊 周婷 吴昊 徐丽 孙强 马超 朱琳 胡杰 郭颖 何涛 高峰 林晓 罗娟 "
    "郑宇 梁雪 谢晨 宋佳 唐亮 许慧 韩冰 冯军 邓璐 曹阳 彭博 曾倩 肖楠 田甜 董浩 袁媛 潘越 于洁 蒋鹏 蔡雯 "
    "贾静怡 丁文博 魏东 薛梅 叶青"
).split()
LIXIA_NAMES = "孔令辉 颜珂 孟凡星 曲晓燕 吕振华 姜岩 毕秀英 房立新 尹楠 乔欣 牛犇 崔颖 秦川 邵华 石磊 鲁燕".split()
STREET_NAMES = "纪红梅 季伟 聂小雨 庞建国 温馨".split()
DEMO_NAMES = "王芳 李强 张敏 刘洋 陈静 赵磊".split()


# ----------------------------------------------------------------------------------------------
# Halls


def jinan_hours() -> dict:
    return {
        "last_ticket_minutes_before_end": 30,
        "rules": [
            {"name": "工作日", "days": ["mon", "tue", "wed", "thu", "fri"],
             "sessions": sessions("09:00-12:00", "13:00-17:00")},
            {"name": "工作日（夏季作息）", "days": ["mon", "tue", "wed", "thu", "fri"],
             "sessions": sessions("09:00-12:00", "13:00-17:30"), "season_from": "05-01", "season_to": "09-30"},
            {"name": "周六延时服务", "days": ["sat"], "sessions": sessions("09:00-12:00")},
        ],
        "dates": spring_festival_2027(),
    }


def spring_festival_2027() -> list[dict]:
    # Demo assumption until the State Council publishes the 2027 arrangement: 2027-01-01 closed,
    # Spring Festival 2027-02-05..02-12 closed (Saturdays too: no extended service), and the
    # Sunday 2027-01-31 a 调休 working day.
    dates = [{"date": "2027-01-01", "closed": True, "note": "元旦"}]
    for day in range(5, 13):
        dates.append({"date": f"2027-02-{day:02d}", "closed": True, "note": "春节"})
    dates.append({"date": "2027-01-31", "sessions": sessions("09:00-12:00", "13:00-17:00"), "note": "春节调休上班"})
    return dates


def jinan_city() -> tuple[dict, list[dict]]:
    hall_id = "jn-city"
    locations = {q[0]: q[6] for q in JINAN_QUEUES}
    items = build_items(hall_id, "370100", ITEMS, locations)
    inline_codes = {items[0]["code"], items[30]["code"], items[60]["code"]}  # a few items stay in the TOML
    queues = [{"id": q, "name": n, "name_en": en, "default_service_s": s, "daily_limit": lim,
               "kiosk_visible": None if vis else False} for q, n, en, s, lim, vis, _ in JINAN_QUEUES]
    windows = []

    def win(queues_: list[str], name: str | None = None, tags: list[str] | None = None, policy: str | None = None) -> str:
        wid = f"W{len(windows) + 1:02d}"
        windows.append({"id": wid, "name": name or f"{len(windows) + 1}号窗口", "queues": queues_,
                         "policy": policy, "tags": tags})
        return wid

    for queue, count in (("A", 3), ("H", 2), ("B", 4), ("C", 3), ("D", 3), ("E", 3), ("F", 3), ("G", 3), ("J", 2)):
        for _ in range(count):
            win([queue])
    # Tidal windows: a home queue first, helping a neighbour at peaks (managers move them at run time).
    win(["A", "H"], name=f"{len(windows) + 1}号潮汐窗口", tags=["tidal"], policy="ordered")
    win(["H", "A"], name=f"{len(windows) + 1}号潮汐窗口", tags=["tidal"], policy="ordered")
    win(["B", "H"], name=f"{len(windows) + 1}号潮汐窗口", tags=["tidal"], policy="ordered")
    win(["C", "D"], name=f"{len(windows) + 1}号潮汐窗口", tags=["tidal"], policy="ordered")
    win(["F", "G"], name=f"{len(windows) + 1}号潮汐窗口", tags=["tidal"], policy="ordered")
    # 综合窗口 (无差别受理): any matter of these queues, in ticket rank order.
    every = ["K", "A", "B", "C", "D", "E", "F", "H", "J"]
    for _ in range(5):
        win(every, name=f"{len(windows) + 1}号综合窗口", tags=["comprehensive"])
    win(["BF"], name="“办不成事”反映窗口", tags=["special"])
    win(["BD"], name="帮办代办窗口", tags=["special"])
    win(["K", "A", "B", "C", "D", "E", "F", "G", "H", "J"], name="绿色通道窗口", tags=["green", "comprehensive"])
    win(["G"], name="出入境自助签注指导台", tags=["special"])
    assert len(windows) == 40, len(windows)

    staff = []
    for n, name in enumerate(JINAN_NAMES[:42]):
        home = windows[n % len(windows)]
        # Cover for a neighbour: the tidal window that helps the home queue, or the next window of
        # the same kind (comprehensive, special).
        cover = [w for w in windows if w is not home and w["tags"] and "tidal" in w["tags"]
                 and home["queues"][0] in w["queues"]]
        cover += [w for w in windows[n % len(windows) + 1:] + windows if w is not home and w["tags"]
                  and home["tags"] == ["comprehensive"] == w["tags"]]
        staff.append(staff_entry(hall_id, f"s{n + 1:03d}", name, [home["id"]] + [w["id"] for w in cover[:1]]))
    for n, name in enumerate(JINAN_NAMES[42:45]):
        staff.append(staff_entry(hall_id, f"s{43 + n:03d}", name, ["W37", "W38"], role="manager"))

    devices = [device(hall_id, f"kiosk-{n}", "kiosk", f"一楼大厅自助取号机{n}") for n in (1, 2, 3)]
    devices.append(device(hall_id, "kiosk-4", "kiosk", "24小时自助服务区终端（适老化）"))
    devices.append(device(hall_id, "screen-hall", "display", "一楼大厅综合屏"))
    devices.append(device(hall_id, "screen-2f", "display", "二楼候办区综合屏"))
    for n in range(1, 6):
        devices.append(device(hall_id, f"screen-w{n:02d}", "display", f"{n}号窗口屏"))
    devices.append(device(hall_id, "sd-reservation", "integration", "山东省统一预约平台（爱山东）"))

    hall = {
        "id": hall_id,
        "name": "济南市政务服务中心",
        "name_en": "Jinan Government Service Center",
        "timezone": "Asia/Shanghai",
        "item_catalogue": "catalogue/jinan-city-items.json",
        "public_url": "https://jn-city.hall.example",
        "supervision_phone": "0531-12345",
        "address": "山东省济南市历下区龙鼎大道1号龙奥大厦（演示地址）",
        "notice": "工作日 9:00-12:00、13:00-17:00（5月1日至9月30日下午至17:30），周六上午延时服务；"
                  "截止办理前30分钟停止取号。老年人、残疾人、孕妇、现役军人可走绿色通道。办不成事请到东侧反映窗口。",
        "staff_token_hours": 12,
        "green_policy": "granted",
        "hours": jinan_hours(),
        "queues": queues,
        "items": [i for i in items if i["code"] in inline_codes],
        "windows": windows,
        "staff": staff,
        "devices": devices,
    }
    return hall, [i for i in items if i["code"] not in inline_codes]


LIXIA_ITEMS: dict[str, list[tuple]] = {
    "A": ITEMS["A"][:9] + [
        ("小餐饮登记", "Small eatery registration", "许可", "行政审批服务局", 15, 3, 1, "不收费",
         "从事小餐饮经营且经营场所符合条件",
         "小餐饮登记申请表、经营者身份证件、健康证明、经营场所平面图", "《山东省食品小作坊小餐饮和食品摊点管理条例》"),
    ],
    "C": ITEMS["C"][:6] + [
        ("就业登记", "Employment registration", "公共服务", "人力资源和社会保障局", 0, 0, 0, "不收费",
         "在法定劳动年龄内已就业的劳动者", "居民身份证或社会保障卡", "《就业服务与就业管理规定》第六十一条"),
        ("失业登记", "Unemployment registration", "公共服务", "人力资源和社会保障局", 0, 0, 0, "不收费",
         "法定劳动年龄内、有劳动能力、有就业要求、处于无业状态", "居民身份证或社会保障卡", "《就业服务与就业管理规定》第六十三条"),
    ],
    "D": ITEMS["D"][:5],
    "F": ITEMS["F"][4:9],
    "S": [
        ("最低生活保障审核确认", "Minimum living allowance", "给付", "民政局", 30, 20, 1, "不收费",
         "共同生活的家庭成员人均收入低于当地最低生活保障标准且财产状况符合规定",
         "申请书、家庭成员身份证件及户口簿、家庭收入和财产状况声明", "《社会救助暂行办法》第十一条"),
        ("特困人员救助供养认定", "Support for people in extreme poverty", "给付", "民政局", 30, 20, 1, "不收费",
         "无劳动能力、无生活来源、无法定赡养抚养扶养义务人或其义务人无履行能力的老年人、残疾人及未成年人",
         "申请书、身份证件、户口簿、残疾人证（如有）", "《社会救助暂行办法》第十四条"),
        ("临时救助", "Temporary assistance", "给付", "民政局", 15, 7, 1, "不收费",
         "因意外事件、突发重大疾病等导致基本生活暂时出现严重困难的家庭或个人",
         "申请书、身份证件、困难情况证明材料", "《社会救助暂行办法》第四十七条"),
        ("困难残疾人生活补贴和重度残疾人护理补贴", "Disability living and care subsidies", "给付", "残疾人联合会", 30, 15, 1, "不收费",
         "持有第二代残疾人证且符合补贴条件的残疾人",
         "申请表、残疾人证、居民身份证、户口簿", "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》"),
        ("80周岁以上老年人高龄津贴", "Longevity allowance (80+)", "给付", "民政局", 30, 10, 1, "不收费",
         "年满80周岁的本区户籍老年人",
         "居民身份证、户口簿、本人银行卡", "《山东省老年人权益保障条例》"),
        ("结婚登记", "Marriage registration", "确认", "民政局", 0, 0, 1, "不收费",
         "男女双方完全自愿，达到法定婚龄，双方均无配偶且没有禁止结婚的情形",
         "双方居民身份证、双方户口簿、近期半身免冠合影照片", "《中华人民共和国民法典》第一千零四十九条、《婚姻登记条例》"),
        ("离婚登记", "Divorce registration", "确认", "民政局", 30, 30, 2, "不收费",
         "男女双方自愿离婚且对子女抚养、财产及债务处理等事项协商一致，30日冷静期届满",
         "双方居民身份证、户口簿、结婚证、离婚协议书", "《中华人民共和国民法典》第一千零七十六条、第一千零七十七条"),
        ("生育登记", "Birth registration (family planning service)", "公共服务", "卫生健康局", 0, 0, 0, "不收费",
         "夫妻双方或一方户籍在本区，或在本区居住的流动人口",
         "夫妻双方居民身份证", "《山东省人口与计划生育条例》"),
    ],
    "K": ITEMS["K"][:3] + [
        ("门头牌匾设置备案", "Shop sign filing", "其他", "综合行政执法局", 5, 1, 1, "不收费",
         "在本区范围内设置门头牌匾的单位和个体工商户",
         "备案表、营业执照复印件、牌匾设计效果图", "《济南市城市市容和环境卫生管理条例》"),
        ("城镇污水排入排水管网许可", "Sewage discharge permit", "许可", "行政审批服务局", 20, 5, 1, "不收费",
         "向城镇排水设施排放污水的排水户",
         "排水许可申请表、排水户内部排水管网图、排水水质检测报告", "《城镇排水与污水处理条例》第二十一条"),
    ],
    "BF": ITEMS["BF"][:1],
    "BD": ITEMS["BD"][2:],
}

LIXIA_QUEUES = [
    ("A", "企业开办", "Business start-up", 900, None, True, "一楼东厅"),
    ("C", "人社服务", "Human resources and social security", 600, None, True, "一楼西厅"),
    ("D", "医保服务", "Medical insurance", 480, None, True, "一楼西厅"),
    ("F", "公安服务", "Police services", 600, None, True, "二楼东侧"),
    ("S", "社会事务", "Social affairs", 720, None, True, "二楼西侧"),
    ("K", "工程建设与综合", "Construction and general", 900, None, True, "二楼中厅"),
    ("BF", "办不成事反映", "'Could not get it done' desk", 1200, None, False, "一楼服务台旁"),
    ("BD", "帮办代办", "Assisted handling", 1800, None, True, "一楼服务台旁"),
]


def lixia() -> tuple[dict, list[dict]]:
    hall_id = "jn-lixia"
    items = build_items(hall_id, "370102", LIXIA_ITEMS, {q[0]: q[6] for q in LIXIA_QUEUES})
    queues = [{"id": q, "name": n, "name_en": en, "default_service_s": s, "daily_limit": lim,
               "kiosk_visible": None if vis else False} for q, n, en, s, lim, vis, _ in LIXIA_QUEUES]
    spec = [
        (["A"], None, None), (["A"], None, None), (["C"], None, None), (["C"], None, None),
        (["D"], None, None), (["F"], None, None), (["F"], None, None), (["S"], None, None),
        (["S"], None, None), (["K"], None, None), (["A", "K"], ["tidal"], "ordered"),
        (["C", "D"], ["tidal"], "ordered"),
        (["K", "A", "C", "D", "S"], ["comprehensive"], None),
        (["BF"], ["special"], None), (["BD"], ["special", "green"], None),
    ]
    windows = []
    special_names = {"BF": "“办不成事”反映窗口", "BD": "帮办代办（绿色通道）窗口"}
    for n, (qs, tags, policy) in enumerate(spec, start=1):
        name = special_names.get(qs[0]) if tags and "special" in tags else None
        if tags and "comprehensive" in tags:
            name = f"{n}号综合窗口"
        elif tags == ["tidal"]:
            name = f"{n}号潮汐窗口"
        windows.append({"id": f"W{n:02d}", "name": name or f"{n}号窗口", "queues": qs, "policy": policy, "tags": tags})
    staff = [staff_entry(hall_id, f"s{n + 1:03d}", name, [windows[n]["id"]]) for n, name in enumerate(LIXIA_NAMES[:15])]
    staff.append(staff_entry(hall_id, "s016", LIXIA_NAMES[15], [], role="manager"))
    devices = [device(hall_id, *spec) for spec in (
        ("kiosk-1", "kiosk", "一楼大厅自助取号机"), ("kiosk-2", "kiosk", "24小时自助服务区终端"),
        ("screen-hall", "display", "一楼大厅综合屏"), ("sd-reservation", "integration", "山东省统一预约平台（爱山东）"))]
    hall = {
        "id": hall_id,
        "name": "济南市历下区政务服务中心",
        "name_en": "Lixia District Government Service Center, Jinan",
        "timezone": "Asia/Shanghai",
        "item_catalogue": "catalogue/lixia-district-items.csv",
        "public_url": "https://jn-lixia.hall.example",
        "supervision_phone": "0531-12345",
        "address": "山东省济南市历下区（演示地址）",
        "notice": "工作日 9:00-17:00 午间不间断服务，周六上午 9:00-12:00 延时服务。24小时自助服务区全天开放。",
        "hours": {
            "last_ticket_minutes_before_end": 15,
            "rules": [
                {"name": "工作日（午间不间断）", "days": ["mon", "tue", "wed", "thu", "fri"], "sessions": sessions("09:00-17:00")},
                {"name": "周六延时服务", "days": ["sat"], "sessions": sessions("09:00-12:00")},
            ],
            "dates": spring_festival_2027(),
        },
        "queues": queues,
        "windows": windows,
        "staff": staff,
        "devices": devices,
    }
    return hall, items


STREET_ITEMS: dict[str, list[tuple]] = {
    "A": [LIXIA_ITEMS["S"][6 + 1], LIXIA_ITEMS["S"][4], LIXIA_ITEMS["S"][3],
          ("低保、特困、临时救助申请受理", "Social assistance application intake", "其他", "街道办事处", 0, 0, 1, "不收费",
           "本街道户籍或居住的困难家庭", "申请书、家庭成员身份证件及户口簿、困难情况说明", "《社会救助暂行办法》"),
          ITEMS["K"][5]],
    "B": [ITEMS["C"][0], ITEMS["D"][0], LIXIA_ITEMS["C"][6], LIXIA_ITEMS["C"][7], ITEMS["C"][3],
          ("就业创业证申领", "Employment and entrepreneurship certificate", "公共服务", "街道办事处", 0, 0, 0, "不收费",
           "法定劳动年龄内有就业创业需求的人员", "居民身份证或社会保障卡", "《就业服务与就业管理规定》")],
    "C": [ITEMS["F"][7], ITEMS["F"][8],
          ("流动人口居住登记", "Migrant residence registration", "公共服务", "公安局", 0, 0, 1, "不收费",
           "离开常住户口所在地到本街道居住的人员", "居民身份证、住所证明", "《居住证暂行条例》第五条")],
    "D": [ITEMS["K"][7]],
}

STREET_QUEUES = [
    ("A", "民政事务", "Civil affairs", 600, None, True, "便民服务中心1号窗口"),
    ("B", "社保医保就业", "Social insurance and employment", 480, None, True, "便民服务中心2号窗口"),
    ("C", "居住证与户籍", "Residence and household matters", 480, None, True, "便民服务中心3号窗口"),
    ("D", "退役军人服务", "Veterans' services", 600, 40, True, "便民服务中心1号窗口"),
]


def street() -> dict:
    hall_id = "jn-lixia-qcl"
    items = build_items(hall_id, "370102", STREET_ITEMS, {q[0]: q[6] for q in STREET_QUEUES}, seq_base=300)
    queues = [{"id": q, "name": n, "name_en": en, "default_service_s": s, "daily_limit": lim}
              for q, n, en, s, lim, _, _ in STREET_QUEUES]
    windows = [
        {"id": "W1", "name": "1号综合窗口", "queues": ["A", "D", "B", "C"], "tags": ["comprehensive", "green"]},
        {"id": "W2", "name": "2号综合窗口", "queues": ["B", "A", "C", "D"], "tags": ["comprehensive"]},
        {"id": "W3", "name": "3号综合窗口", "queues": ["C", "B", "A", "D"], "tags": ["comprehensive"]},
    ]
    staff = [staff_entry(hall_id, f"s{n + 1:03d}", name, [f"W{n % 3 + 1}", f"W{(n + 1) % 3 + 1}"])
             for n, name in enumerate(STREET_NAMES[:4])]
    staff.append(staff_entry(hall_id, "s005", STREET_NAMES[4], ["W1", "W2", "W3"], role="manager"))
    return {
        "id": hall_id,
        "name": "历下区泉城路街道便民服务中心",
        "name_en": "Quanchenglu Subdistrict Convenience Service Center",
        "timezone": "Asia/Shanghai",
        "public_url": "https://jn-lixia-qcl.hall.example",
        "supervision_phone": "0531-12345",
        "address": "山东省济南市历下区泉城路街道（演示地址）",
        "notice": "工作日 9:00-11:30、14:00-17:00。一楼24小时自助服务区提供社保查询打印、不动产信息查询、"
                  "出入境自助签注等服务，全天开放。",
        "green_policy": "identity",
        "staff_token_hours": 9,
        "hours": {
            "last_ticket_minutes_before_end": 10,
            "rules": [{"name": "工作日", "days": ["mon", "tue", "wed", "thu", "fri"],
                       "sessions": sessions("09:00-11:30", "14:00-17:00")}],
            "dates": [d for d in spring_festival_2027() if not d["date"] == "2027-01-31"],
        },
        "queues": queues,
        "items": items,
        "windows": windows,
        "staff": staff,
        "devices": [
            device(hall_id, "kiosk-1", "kiosk", "24小时自助服务区终端"),
            device(hall_id, "screen-hall", "display", "服务大厅综合屏"),
        ],
    }


DEMO_QUEUES = [
    # demo queue id, name, name_en, default_service_s, daily_limit, source rows
    ("A", "企业开办", "Business start-up", 600, None, ITEMS["A"][:4]),
    ("B", "不动产登记", "Real estate registration", 900, None, ITEMS["B"][:4]),
    ("C", "社保医保", "Social and medical insurance", 300, None, ITEMS["C"][:2] + ITEMS["D"][:2]),
    ("D", "户政出入境", "Household and exit-entry", 300, 50, ITEMS["F"][:2] + ITEMS["G"][2:4]),
    ("K", "综合受理", "General acceptance", 300, None, ITEMS["K"][3:6] + ITEMS["BD"][2:]),
]


def demo() -> tuple[dict, list[dict]]:
    hall_id = "demo"
    rows = {q: src for q, _, _, _, _, src in DEMO_QUEUES}
    items = build_items("jn-city", "370100", rows, {q: "演示大厅" for q in rows}, seq_base=500)
    queues = [{"id": q, "name": n, "name_en": en, "default_service_s": s, "daily_limit": lim}
              for q, n, en, s, lim, _ in DEMO_QUEUES]
    windows = [
        {"id": "W01", "name": "1号窗口", "queues": ["A"]},
        {"id": "W02", "name": "2号窗口", "queues": ["B"]},
        {"id": "W03", "name": "3号窗口", "queues": ["B"]},
        {"id": "W04", "name": "4号窗口", "queues": ["C"]},
        {"id": "W05", "name": "5号窗口", "queues": ["D"]},
        {"id": "W06", "name": "6号潮汐窗口", "queues": ["C", "D"], "policy": "ordered", "tags": ["tidal"]},
        {"id": "W07", "name": "7号综合窗口", "queues": ["K", "A", "B", "C", "D"], "tags": ["comprehensive"]},
        {"id": "W08", "name": "绿色通道窗口", "queues": ["K", "A", "B", "C", "D"], "tags": ["green"]},
    ]
    staff = [
        staff_entry(hall_id, "s001", DEMO_NAMES[0], ["W01", "W07"]),
        staff_entry(hall_id, "s002", DEMO_NAMES[1], ["W02", "W03"]),
        staff_entry(hall_id, "s003", DEMO_NAMES[2], ["W04", "W06"]),
        staff_entry(hall_id, "s004", DEMO_NAMES[3], ["W05", "W06"]),
        staff_entry(hall_id, "s005", DEMO_NAMES[4], ["W07", "W08"]),
        staff_entry(hall_id, "m001", DEMO_NAMES[5], ["W08"], role="manager"),
    ]
    devices = [device(hall_id, *spec) for spec in (
        ("kiosk-1", "kiosk", "演示自助终端1"), ("kiosk-2", "kiosk", "演示自助终端2"),
        ("screen-hall", "display", "演示综合屏"), ("screen-w01", "display", "1号窗口屏"),
        ("sd-reservation", "integration", "预约平台（演示）"), ("evaluator-w01", "evaluator", "1号窗口评价器"))]
    hall = {
        "id": hall_id,
        "name": "演示政务服务大厅",
        "name_en": "Demo Government Service Hall",
        "timezone": "Asia/Shanghai",
        "item_catalogue": "catalogue/demo-items.csv",
        "supervision_phone": "0531-12345",
        "address": "演示环境",
        "notice": "演示大厅：全天开放，数据均为演示数据。",
        "staff_token_hours": 24,
        "queues": queues,
        "windows": windows,
        "staff": staff,
        "devices": devices,
        "evaluation": {"lead": "m001"},  # 差评 cases go to the manager
    }
    return hall, items


# ----------------------------------------------------------------------------------------------
# Output

CSV_COLUMNS = ("code", "name", "name_en", "queue", "conditions", "materials", "process", "legal_limit_days",
               "promised_limit_days", "fees", "visits", "location", "basis", "online_url")


def items_csv(items: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in items:
        flat = {**item, **item["guide"]}
        row = []
        for column in CSV_COLUMNS:
            value = flat.get(column, "")
            if isinstance(value, list):
                assert not any("|" in v for v in value), value
                value = "|".join(value)
            row.append("" if value is None else str(value))
        writer.writerow(row)
    return buffer.getvalue()


def items_json(items: list[dict]) -> str:
    return json.dumps(items, ensure_ascii=False, indent=1) + "\n"


def outputs() -> dict[str, str]:
    jn, jn_catalogue = jinan_city()
    lx, lx_catalogue = lixia()
    st = street()
    dm, dm_catalogue = demo()
    jn_text, lx_text, st_text, dm_text = (hall_toml(h) for h in (jn, lx, st, dm))
    halls = [("demo.toml", dm, len(dm_catalogue)), ("jinan-city.toml", jn, len(jn["items"]) + len(jn_catalogue)),
             ("lixia-district.toml", lx, len(lx_catalogue)), ("street-centre.toml", st, len(st["items"]))]
    return {
        "README.md": readme(halls),
        "jinan-city.toml": header("济南市政务服务中心 (Jinan city hall): 12 queues, 40 windows, 45 staff.")
        + SERVER_TABLE + jn_text,
        "lixia-district.toml": header("济南市历下区政务服务中心 (Lixia district hall).") + lx_text,
        "street-centre.toml": header("历下区泉城路街道便民服务中心 (a subdistrict convenience centre); items inline.") + st_text,
        "demo.toml": header("演示大厅 (demo hall): no service hours, so it is open at any time.") + dm_text,
        "all-halls.toml": header("The city hall, the district hall and the street centre served by one server.")
        + SERVER_TABLE + jn_text + "\n" + lx_text + "\n" + st_text,
        "catalogue/jinan-city-items.json": items_json(jn_catalogue),
        "catalogue/lixia-district-items.csv": items_csv(lx_catalogue),
        "catalogue/demo-items.csv": items_csv(dm_catalogue),
    }


README_HEAD = """# Example halls (演示配置)

Generated by `config/tools/make_demo.py` (edit the script and rerun it; `--check` tells whether the
files are current). Every key is described in [docs/config.md](../docs/config.md).

| file | hall(s) | queues | windows | items | staff | devices | hours |
| --- | --- | --- | --- | --- | --- | --- | --- |
{summary}

- `demo.toml` has no `hours`: it is open at any hour, for demos and tests.
- `all-halls.toml` serves the city hall, the district hall and the street centre from one server
  (the item catalogues are found relative to the config file, so it stays in this folder).
- Item catalogues: `catalogue/jinan-city-items.json` (JSON), `catalogue/lixia-district-items.csv` and
  `catalogue/demo-items.csv` (CSV, list cells separated by `|`); the street centre lists its items
  inline, and the city hall has three inline items besides its catalogue.
- Item codes imitate the national 事项编码 (the department's 统一社会信用代码, with valid check
  characters, then item kind, region code and sequence) but are invented: do not look them up.
  Guides (办事指南) are realistic summaries, not the official text.
- Service hours and the 2027 holiday dates are demo assumptions (2027-01-01 and 2027-02-05..02-12
  closed, Sunday 2027-01-31 a 调休 working day); replace them with the published arrangement.

Other `.toml` files here without `[[halls]]` configure terminals (e.g. `kiosk-demo.toml`, see
`docs/kiosk.md`); they are not generated by the script.

Start a demo server:

    .venv/bin/python -m queue_server serve --config config/demo.toml

## Demo credentials (演示账号) — never use them in a real hall

- Every staff member's password is **`{password}`** (argon2id hashes in `password_hash`).
  Log in with `POST /api/v1/auth/login {{"hall": "<hall id>", "staff_id": "<id>", "password": "{password}"}}`.
- Every device token is **`<hall id>-<device id>-token`**; the config stores its `token_sha256`.
  Use it as `Authorization: Bearer <token>`.

For a real hall: hash real passwords with `python -m queue_server hash-password`, and make device
tokens with `python -m queue_server make-token` (it prints the token and the sha256 the config takes).
"""


def readme(halls: list[tuple[str, dict, int]]) -> str:
    summary = []
    for name, hall, item_count in halls:
        hours = "always open" if not hall.get("hours") else "; ".join(
            f"{r['name']} " + ", ".join("-".join(p) for p in r["sessions"]) for r in hall["hours"]["rules"])
        summary.append(f"| `{name}` | `{hall['id']}` {hall['name']} | {len(hall['queues'])} | {len(hall['windows'])} | "
                       f"{item_count} | {len(hall['staff'])} | {len(hall['devices'])} | {hours} |")
    out = [README_HEAD.format(summary="\n".join(summary), password=DEMO_PASSWORD)]
    for name, hall, _ in halls:
        windows = {w["id"]: w["name"] for w in hall["windows"]}
        out.append(f"### `{hall['id']}` — {hall['name']} (`{name}`)\n")
        out.append("Devices:\n")
        out.append("| device | kind | name | token |")
        out.append("| --- | --- | --- | --- |")
        for d in hall["devices"]:
            out.append(f"| `{d['id']}` | {d['kind']} | {d['name']} | `{demo_token(hall['id'], d['id'])}` |")
        out.append("\nStaff (password `" + DEMO_PASSWORD + "`):\n")
        out.append("| staff id | name | role | windows |")
        out.append("| --- | --- | --- | --- |")
        for p in hall["staff"]:
            where = ", ".join(f"{w} {windows[w]}" for w in p["windows"]) or "(managers act at every window)"
            out.append(f"| `{p['id']}` | {p['name']} | {p.get('role', 'staff')} | {where} |")
        out.append("")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name, text in outputs().items():
        path = CONFIG_DIR / name
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote config/{name}")
    if stale:
        print("out of date (run config/tools/make_demo.py): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
