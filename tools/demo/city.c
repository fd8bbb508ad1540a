/* The demo city's fixed parts: six districts of a Guangzhou-like city, a category tree of 89
 * leaves three or four levels deep, 39 handling units with their teams and named handlers,
 * and what each unit is like to deal with. */
#include "city.h"

#include "repeatd/kpi_store.h"
#include "repeatd/store.h"
#include "repeatd/tx.h"

#include <stdio.h>
#include <string.h>

/* Kinds of handling unit. District kinds have one unit per district; city kinds one unit. */
enum {
    K_CG,  /* 城管局 */
    K_ZJ,  /* 住建局 */
    K_SC,  /* 市场监管局 */
    K_JD,  /* 街道办事处 */
    K_YB,  /* 市医保局 */
    K_RS,  /* 市人社局 */
    K_JT,  /* 市交通运输局 */
    K_JJ,  /* 市公安局交警支队 */
    K_JY,  /* 市教育局 */
    K_WJ,  /* 市卫健委 */
    K_HJ,  /* 市生态环境局 */
    K_SW,  /* 市水务局 */
    K_GJJ, /* 市住房公积金管理中心 */
    K_GD,  /* 市供电局 */
    K_MZ,  /* 市民政局 */
    K_RQ,  /* 市燃气集团 */
    K_DT,  /* 市地铁集团 */
    K_YL,  /* 市林业和园林局 */
    K_WL,  /* 市文化广电旅游局 */
    K_COUNT
};
#define DISTRICT_KINDS 4

const demo_district demo_districts[DEMO_DISTRICTS] = {
    {"天河区",
     "石牌",
     23.1290,
     113.3610,
     {"天河路", "体育西路", "天河北路", "中山大道", "黄埔大道", "花城大道"}},
    {"越秀区",
     "北京",
     23.1290,
     113.2670,
     {"北京路", "中山五路", "东风中路", "环市东路", "解放北路", "农林下路"}},
    {"海珠区",
     "江南中",
     23.0840,
     113.3170,
     {"江南大道", "新港西路", "工业大道", "昌岗路", "宝岗大道", "南洲路"}},
    {"荔湾区",
     "逢源",
     23.1260,
     113.2440,
     {"中山八路", "芳村大道", "康王路", "黄沙大道", "龙津西路", "花地大道"}},
    {"白云区",
     "三元里",
     23.1950,
     113.2730,
     {"白云大道", "机场路", "广园中路", "同和路", "黄石路", "云城西路"}},
    {"番禺区",
     "市桥",
     22.9380,
     113.3840,
     {"迎宾路", "南大路", "大北路", "禺山大道", "繁华路", "桥南路"}},
};
static const char *const district_codes[DEMO_DISTRICTS] = {"TH", "YX", "HZ", "LW", "BY", "PY"};

#define INNER(code, name, parent)                                                                  \
    {                                                                                              \
        code, name, parent, false, -1, -1, 0, 0                                                    \
    }
#define LEAF(code, name, parent, k1, k2, w, d)                                                     \
    {                                                                                              \
        code, name, parent, false, k1, k2, w, d                                                    \
    }
#define POLICY(code, name, parent, k1, w, d)                                                       \
    {                                                                                              \
        code, name, parent, true, k1, -1, w, d                                                     \
    }

/* Parents before children. The codes and names of deploy/sample-categories.json are kept, so
 * that loading the sample tree over the demo changes nothing. */
static const demo_category tree[] = {
    INNER("HB", "环境保护", NULL),
    INNER("HB.ZS", "噪声污染", "HB"),
    LEAF("HB.ZS.JZ", "建筑施工噪声", "HB.ZS", K_CG, K_HJ, 12, 5),
    LEAF("HB.ZS.SH", "社会生活噪声", "HB.ZS", K_JD, K_CG, 9, 7),
    LEAF("HB.ZS.JT", "交通噪声", "HB.ZS", K_JT, -1, 3, 10),
    LEAF("HB.ZS.GY", "工业企业噪声", "HB.ZS", K_HJ, -1, 2, 10),
    INNER("HB.DQ", "大气污染", "HB"),
    LEAF("HB.DQ.YY", "餐饮油烟", "HB.DQ", K_CG, K_HJ, 6, 7),
    LEAF("HB.DQ.YC", "工地扬尘", "HB.DQ", K_CG, K_ZJ, 4, 7),
    LEAF("HB.DQ.FS", "露天焚烧", "HB.DQ", K_JD, -1, 2, 5),
    LEAF("HB.DQ.QY", "企业废气排放", "HB.DQ", K_HJ, -1, 2, 10),
    INNER("HB.SW", "水污染", "HB"),
    LEAF("HB.SW.HC", "河涌黑臭", "HB.SW", K_SW, K_HJ, 3, 10),
    LEAF("HB.SW.TP", "企业偷排污水", "HB.SW", K_HJ, -1, 2, 10),
    INNER("HB.LJ", "垃圾处理", "HB"),
    INNER("HB.LJ.FL", "垃圾分类", "HB.LJ"),
    LEAF("HB.LJ.FL.TF", "垃圾投放点设置", "HB.LJ.FL", K_JD, -1, 3, 7),
    LEAF("HB.LJ.FL.QY", "垃圾清运不及时", "HB.LJ.FL", K_CG, K_JD, 5, 3),
    INNER("HB.LJ.JZ", "建筑垃圾", "HB.LJ"),
    LEAF("HB.LJ.JZ.LD", "乱倒建筑垃圾", "HB.LJ.JZ", K_CG, -1, 3, 5),
    LEAF("HB.LJ.JZ.ZX", "装修垃圾堆放", "HB.LJ.JZ", K_JD, -1, 2, 5),

    INNER("CG", "城市管理", NULL),
    INNER("CG.SZ", "市政设施", "CG"),
    LEAF("CG.SZ.LD", "路灯故障", "CG.SZ", K_CG, -1, 7, 3),
    LEAF("CG.SZ.PS", "排水管道堵塞", "CG.SZ", K_SW, K_CG, 6, 3),
    LEAF("CG.SZ.DL", "道路破损", "CG.SZ", K_CG, K_JT, 5, 7),
    LEAF("CG.SZ.JG", "井盖缺失破损", "CG.SZ", K_CG, -1, 3, 3),
    INNER("CG.RQ", "市容秩序", "CG"),
    LEAF("CG.RQ.ZD", "占道经营", "CG.RQ", K_CG, K_JD, 7, 5),
    LEAF("CG.RQ.GG", "违规户外广告", "CG.RQ", K_CG, -1, 2, 10),
    INNER("CG.RQ.WJ", "违法建设", "CG.RQ"),
    LEAF("CG.RQ.WJ.DD", "楼顶违法加建", "CG.RQ.WJ", K_CG, -1, 3, 15),
    LEAF("CG.RQ.WJ.GG", "占用公共空间搭建", "CG.RQ.WJ", K_JD, K_CG, 2, 15),
    INNER("CG.LH", "园林绿化", "CG"),
    LEAF("CG.LH.SM", "树木倒伏与修剪", "CG.LH", K_YL, K_CG, 3, 5),
    LEAF("CG.LH.GY", "公园设施损坏", "CG.LH", K_YL, -1, 2, 7),
    INNER("CG.TC", "停车管理", "CG"),
    LEAF("CG.TC.WT", "违规停车", "CG.TC", K_JJ, -1, 6, 3),
    LEAF("CG.TC.SF", "停车场收费", "CG.TC", K_SC, -1, 2, 10),

    INNER("SB", "社会保障", NULL),
    INNER("SB.YB", "医疗保险", "SB"),
    POLICY("SB.YB.BL", "医保报销比例", "SB.YB", K_YB, 4, 7),
    LEAF("SB.YB.JS", "异地就医结算", "SB.YB", K_YB, -1, 3, 10),
    LEAF("SB.YB.CB", "医保参保缴费", "SB.YB", K_YB, -1, 3, 7),
    LEAF("SB.YB.MB", "门诊特定病种待遇", "SB.YB", K_YB, -1, 2, 10),
    INNER("SB.YL", "养老保险", "SB"),
    POLICY("SB.YL.DY", "养老金待遇标准", "SB.YL", K_RS, 3, 7),
    LEAF("SB.YL.ZY", "养老保险关系转移", "SB.YL", K_RS, -1, 2, 15),
    INNER("SB.JY", "就业创业", "SB"),
    LEAF("SB.JY.QX", "拖欠工资", "SB.JY", K_RS, K_JD, 8, 15),
    LEAF("SB.JY.BT", "就业补贴申领", "SB.JY", K_RS, -1, 2, 10),
    LEAF("SB.JY.SY", "失业保险金申领", "SB.JY", K_RS, -1, 2, 10),
    INNER("SB.JZ", "社会救助", "SB"),
    LEAF("SB.JZ.SQ", "低保申请办理", "SB.JZ", K_MZ, K_JD, 2, 15),
    POLICY("SB.JZ.BZ", "低保认定标准", "SB.JZ", K_MZ, 1, 10),

    INNER("ZF", "住房城乡建设", NULL),
    INNER("ZF.WY", "物业管理", "ZF"),
    LEAF("ZF.WY.FW", "物业服务质量", "ZF.WY", K_ZJ, K_JD, 8, 10),
    LEAF("ZF.WY.SF", "物业收费争议", "ZF.WY", K_ZJ, -1, 4, 10),
    LEAF("ZF.WY.DT", "电梯故障", "ZF.WY", K_SC, K_ZJ, 4, 3),
    LEAF("ZF.WY.WX", "专项维修资金使用", "ZF.WY", K_ZJ, -1, 2, 15),
    INNER("ZF.FC", "房地产市场", "ZF"),
    LEAF("ZF.FC.JF", "逾期交房", "ZF.FC", K_ZJ, -1, 3, 15),
    LEAF("ZF.FC.ZL", "新房质量问题", "ZF.FC", K_ZJ, -1, 2, 15),
    LEAF("ZF.FC.ZP", "房屋租赁纠纷", "ZF.FC", K_JD, K_ZJ, 3, 10),
    INNER("ZF.GJ", "住房公积金", "ZF"),
    LEAF("ZF.GJ.TQ", "公积金提取", "ZF.GJ", K_GJJ, -1, 3, 7),
    POLICY("ZF.GJ.DK", "公积金贷款额度", "ZF.GJ", K_GJJ, 2, 7),
    INNER("ZF.JS", "建设工程", "ZF"),
    LEAF("ZF.JS.AQ", "施工安全隐患", "ZF.JS", K_ZJ, -1, 2, 5),
    LEAF("ZF.JS.GZ", "老旧小区改造", "ZF.JS", K_ZJ, K_JD, 3, 15),

    INNER("JT", "交通出行", NULL),
    INNER("JT.GJ", "公交服务", "JT"),
    LEAF("JT.GJ.XL", "公交线路调整", "JT.GJ", K_JT, -1, 4, 10),
    LEAF("JT.GJ.TB", "公交车辆脱班", "JT.GJ", K_JT, -1, 4, 7),
    LEAF("JT.GJ.FW", "公交司机服务态度", "JT.GJ", K_JT, -1, 3, 7),
    LEAF("JT.GJ.ZD", "公交站点设置", "JT.GJ", K_JT, -1, 2, 15),
    INNER("JT.CZ", "出租与网约车", "JT"),
    LEAF("JT.CZ.JZ", "出租车拒载绕路", "JT.CZ", K_JT, -1, 3, 7),
    LEAF("JT.CZ.WY", "网约车服务纠纷", "JT.CZ", K_JT, -1, 3, 7),
    INNER("JT.DL", "道路交通", "JT"),
    LEAF("JT.DL.XH", "信号灯故障", "JT.DL", K_JJ, -1, 3, 3),
    LEAF("JT.DL.YD", "交通拥堵", "JT.DL", K_JJ, -1, 3, 10),
    LEAF("JT.DL.BX", "交通标志标线", "JT.DL", K_JJ, -1, 2, 10),
    INNER("JT.GD", "轨道交通", "JT"),
    LEAF("JT.GD.YY", "地铁运营服务", "JT.GD", K_DT, -1, 3, 7),

    INNER("SC", "市场监管", NULL),
    INNER("SC.SP", "食品安全", "SC"),
    LEAF("SC.SP.CY", "餐饮服务卫生", "SC.SP", K_SC, -1, 5, 7),
    LEAF("SC.SP.GQ", "销售过期食品", "SC.SP", K_SC, -1, 3, 5),
    LEAF("SC.SP.WM", "外卖食品安全", "SC.SP", K_SC, -1, 3, 7),
    INNER("SC.XF", "消费维权", "SC"),
    LEAF("SC.XF.YF", "预付卡退费", "SC.XF", K_SC, -1, 6, 10),
    LEAF("SC.XF.JG", "价格欺诈", "SC.XF", K_SC, -1, 3, 7),
    LEAF("SC.XF.SH", "商品质量与售后", "SC.XF", K_SC, -1, 4, 10),
    LEAF("SC.XF.WG", "网络购物纠纷", "SC.XF", K_SC, -1, 4, 10),
    INNER("SC.TZ", "特种设备", "SC"),
    LEAF("SC.TZ.QP", "瓶装燃气安全", "SC.TZ", K_SC, K_RQ, 1, 5),

    INNER("JY", "教育", NULL),
    INNER("JY.XQ", "学前教育", "JY"),
    LEAF("JY.XQ.SF", "幼儿园收费", "JY.XQ", K_JY, -1, 2, 10),
    LEAF("JY.XQ.RY", "入园学位", "JY.XQ", K_JY, -1, 2, 10),
    INNER("JY.YW", "义务教育", "JY"),
    POLICY("JY.YW.ZS", "招生入学政策", "JY.YW", K_JY, 4, 7),
    LEAF("JY.YW.BK", "违规补课", "JY.YW", K_JY, -1, 2, 10),
    LEAF("JY.YW.JF", "教辅资料征订", "JY.YW", K_JY, -1, 1, 10),
    INNER("JY.PX", "校外培训", "JY"),
    LEAF("JY.PX.TF", "培训机构退费", "JY.PX", K_JY, K_SC, 4, 15),

    INNER("WJ", "卫生健康", NULL),
    INNER("WJ.YL", "医疗服务", "WJ"),
    LEAF("WJ.YL.TD", "医务人员服务态度", "WJ.YL", K_WJ, -1, 3, 7),
    LEAF("WJ.YL.GH", "挂号就诊难", "WJ.YL", K_WJ, -1, 2, 7),
    LEAF("WJ.YL.SF", "医疗收费", "WJ.YL", K_WJ, K_YB, 2, 10),
    INNER("WJ.GW", "公共卫生", "WJ"),
    LEAF("WJ.GW.YM", "疫苗接种服务", "WJ.GW", K_WJ, -1, 2, 7),
    LEAF("WJ.GW.BM", "病媒生物防治", "WJ.GW", K_JD, K_CG, 2, 7),
    INNER("WJ.SY", "生育服务", "WJ"),
    POLICY("WJ.SY.ZC", "生育支持政策", "WJ.SY", K_WJ, 1, 7),

    INNER("GG", "公用事业", NULL),
    INNER("GG.GS", "供水", "GG"),
    LEAF("GG.GS.TS", "停水与水压不足", "GG.GS", K_SW, -1, 4, 3),
    LEAF("GG.GS.SZ", "自来水水质", "GG.GS", K_SW, -1, 2, 5),
    INNER("GG.GD", "供电", "GG"),
    LEAF("GG.GD.TD", "停电抢修", "GG.GD", K_GD, -1, 4, 3),
    POLICY("GG.GD.DJ", "阶梯电价", "GG.GD", K_GD, 2, 7),
    INNER("GG.RQ", "燃气", "GG"),
    LEAF("GG.RQ.TQ", "管道燃气停气", "GG.RQ", K_RQ, -1, 2, 3),
    LEAF("GG.RQ.AZ", "燃气报装", "GG.RQ", K_RQ, -1, 1, 15),

    INNER("MZ", "民政服务", NULL),
    INNER("MZ.YL", "养老服务", "MZ"),
    LEAF("MZ.YL.JG", "养老机构服务质量", "MZ.YL", K_MZ, -1, 1, 10),
    LEAF("MZ.YL.JT", "高龄津贴发放", "MZ.YL", K_MZ, K_JD, 1, 10),

    INNER("WL", "文化旅游", NULL),
    INNER("WL.LY", "旅游服务", "WL"),
    LEAF("WL.LY.LXS", "旅行社服务纠纷", "WL.LY", K_WL, -1, 1, 15),
    LEAF("WL.LY.JQ", "景区管理服务", "WL.LY", K_WL, -1, 1, 10),
    INNER("WL.WH", "文化市场", "WL"),
    LEAF("WL.WH.WB", "网吧接纳未成年人", "WL.WH", K_WL, -1, 1, 7),
};

/* Unit codes and names by kind; district kinds prefix the district. */
static const struct {
    const char *code;
    const char *name;
    const char *teams[4];
} kinds[K_COUNT] = {
    [K_CG] = {"CG", "城管局", {"执法一中队", "执法二中队", "市政设施管理科", "环境卫生管理科"}},
    [K_ZJ] = {"ZJ", "住建局", {"物业管理科", "建筑工程管理科", "房屋安全管理科", "城市更新科"}},
    [K_SC] = {"SC",
              "市场监管局",
              {"食品安全监管科", "消费者权益保护科", "特种设备安全监察科", "价格监督检查科"}},
    [K_JD] = {"JD", "街道办事处", {"城管办", "社区服务中心", "综治中心", "网格化管理中心"}},
    [K_YB] = {"YB", "市医保局", {"待遇保障处", "医药服务管理处", "基金监管处", "经办服务中心"}},
    [K_RS] = {"RS", "市人社局", {"劳动保障监察支队", "社会保险处", "就业促进处", "仲裁院"}},
    [K_JT] = {"JT", "市交通运输局", {"公共交通处", "客运出租处", "运输执法支队", "综合科"}},
    [K_JJ] = {"JJ", "市公安局交警支队", {"秩序科", "设施科", "指挥中心", "违法处理科"}},
    [K_JY] = {"JY", "市教育局", {"基础教育处", "学前教育处", "校外培训监管处", "督导室"}},
    [K_WJ] = {"WJ", "市卫健委", {"医政医管处", "疾病预防控制处", "人口家庭处", "综合监督所"}},
    [K_HJ] = {"HJ", "市生态环境局", {"执法支队", "大气环境处", "水生态环境处", "监测站"}},
    [K_SW] = {"SW", "市水务局", {"供水管理处", "排水管理处", "河湖管理处", "水务执法支队"}},
    [K_GJJ] = {"GJJ",
               "市住房公积金管理中心",
               {"归集管理部", "贷款管理部", "客户服务中心", "稽查科"}},
    [K_GD] = {"GD", "市供电局", {"客户服务中心", "配网抢修班", "营销部", "计量中心"}},
    [K_MZ] = {"MZ", "市民政局", {"社会救助处", "养老服务处", "社会事务处", "综合科"}},
    [K_RQ] = {"RQ", "市燃气集团", {"客户服务部", "抢修中心", "安全管理部", "工程部"}},
    [K_DT] = {"DT", "市地铁集团", {"客运服务部", "票务中心", "运营调度中心", "综合科"}},
    [K_YL] = {"YL", "市林业和园林局", {"公园管理处", "绿化管理处", "执法队", "综合科"}},
    [K_WL] = {"WL",
              "市文化广电旅游局",
              {"旅游市场管理处", "文化市场执法支队", "资源开发处", "综合科"}},
};

static const char *const surnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
    "郭", "何", "林", "罗", "高", "梁", "郑", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
    "彭", "曾", "肖", "田", "董", "袁", "潘", "蔡", "蒋", "余", "杜", "叶", "程", "苏", "魏",
    "吕", "丁", "沈", "姚", "卢", "钟", "谭", "陆", "范", "廖", "方", "邹", "熊", "莫", "欧阳",
};
static const char *const given_names[] = {
    "伟",   "芳",   "娜",   "敏",   "静",   "丽",   "强",   "磊",   "军",   "洋",   "勇",
    "艳",   "杰",   "娟",   "涛",   "明",   "超",   "秀英", "霞",   "平",   "刚",   "桂英",
    "建华", "志强", "晓东", "海燕", "建国", "文",   "华",   "红",   "玲",   "婷",   "宇",
    "浩",   "欣怡", "子涵", "俊杰", "嘉欣", "伟明", "丽华", "国强", "振华", "晓玲", "春梅",
    "志明", "慧敏", "永健", "少华", "佩玲", "家豪", "淑芬", "国华", "美玲", "建军",
};

/* A handler's name, distinct within the city. */
static void handler_name(demo_city *c, demo_rng *r, char *out, size_t size)
{
    const size_t n_sur = sizeof(surnames) / sizeof(surnames[0]);
    const size_t n_given = sizeof(given_names) / sizeof(given_names[0]);
    for (int tries = 0;; tries++) {
        snprintf(out, size, "%s%s", surnames[demo_below(r, (int)n_sur)],
                 given_names[demo_below(r, (int)n_given)]);
        bool taken = false;
        for (int i = 0; i < c->n_handlers && !taken; i++)
            taken = strcmp(c->handlers[i].name, out) == 0;
        if (!taken || tries > 50)
            return;
    }
}

static void add_unit(demo_city *c, demo_rng *r, int kind, int district)
{
    demo_unit *u = &c->units[c->n_units];
    memset(u, 0, sizeof(*u));
    u->kind = kind;
    u->district = district;
    if (district >= 0) {
        snprintf(u->code, sizeof(u->code), "%s-%s", district_codes[district], kinds[kind].code);
        if (kind == K_JD)
            snprintf(u->name, sizeof(u->name), "%s%s街道办事处", demo_districts[district].name,
                     demo_districts[district].street);
        else
            snprintf(u->name, sizeof(u->name), "%s%s", demo_districts[district].name,
                     kinds[kind].name);
    } else {
        snprintf(u->code, sizeof(u->code), "SJ-%s", kinds[kind].code);
        snprintf(u->name, sizeof(u->name), "%s", kinds[kind].name);
    }
    u->contact_fail = demo_between(r, 0.10, 0.20);
    u->reject = demo_between(r, 0.07, 0.13);
    u->unresolved = demo_between(r, 0.09, 0.17);
    u->followup_reach = demo_between(r, 0.83, 0.93);
    u->late = demo_between(r, 0.03, 0.08);
    u->audit = 0.02;
    u->audit_false = demo_between(r, 0.15, 0.35);
    /* Targets in whole per mille: 0.080 .. 0.150. */
    u->target = (double)(80 + demo_below(r, 71)) / 1000.0;

    u->team0 = c->n_teams;
    u->n_teams = 2 + demo_below(r, 3);
    for (int t = 0; t < u->n_teams; t++) {
        demo_team *team = &c->teams[c->n_teams];
        team->unit = c->n_units;
        char code[24]; /* copied: the compiler cannot tell the unit from the team */
        snprintf(code, sizeof(code), "%s-T%d", u->code, t + 1);
        memcpy(team->code, code, sizeof(team->code));
        snprintf(team->name, sizeof(team->name), "%s", kinds[kind].teams[t]);
        team->handler0 = c->n_handlers;
        team->n_handlers = 3 + demo_below(r, 6);
        for (int h = 0; h < team->n_handlers; h++) {
            demo_handler *hd = &c->handlers[c->n_handlers];
            hd->team = c->n_teams;
            char hcode[48];
            snprintf(hcode, sizeof(hcode), "%s-%02d", code, h + 1);
            memcpy(hd->code, hcode, sizeof(hd->code));
            handler_name(c, r, hd->name, sizeof(hd->name));
            c->n_handlers++;
        }
        c->n_teams++;
    }
    c->n_units++;
}

/* Three units handle badly by design, so that the ranking has a bottom to flag: first
 * contacts fail, close-outs are boilerplate, follow-ups are skipped, problems stay unsolved. */
static void make_weak(demo_unit *u)
{
    u->weak = true;
    u->contact_fail = 0.33;
    u->reject = 0.24;
    u->unresolved = 0.36;
    u->followup_reach = 0.66;
    u->late = 0.10;
    u->audit = 0.05;
    u->audit_false = 0.6;
}

void demo_city_build(demo_city *c, uint64_t seed)
{
    memset(c, 0, sizeof(*c));
    demo_rng r = demo_rng_make(seed, 0xC17Cull);
    c->cats = tree;
    c->n_cats = sizeof(tree) / sizeof(tree[0]);
    double total = 0;
    for (size_t i = 0; i < c->n_cats && c->n_leaves < DEMO_LEAVES_MAX; i++) {
        if (tree[i].weight == 0)
            continue;
        total += tree[i].weight;
        c->leaf_cdf[c->n_leaves] = total;
        c->leaves[c->n_leaves++] = (int)i;
    }
    for (int d = 0; d < DEMO_DISTRICTS; d++)
        for (int k = 0; k < DISTRICT_KINDS; k++)
            add_unit(c, &r, k, d);
    for (int k = DISTRICT_KINDS; k < K_COUNT; k++)
        add_unit(c, &r, k, -1);
    /* A district's city-management bureau, a district's street office and the city's
     * transport bureau: units with volume, so that they are ranked. */
    make_weak(&c->units[demo_below(&r, DEMO_DISTRICTS) * DISTRICT_KINDS + K_CG]);
    make_weak(&c->units[demo_below(&r, DEMO_DISTRICTS) * DISTRICT_KINDS + K_JD]);
    make_weak(&c->units[DEMO_DISTRICTS * DISTRICT_KINDS + (K_JT - DISTRICT_KINDS)]);
}

static int unit_of_kind(int kind, int district)
{
    if (kind < DISTRICT_KINDS)
        return district * DISTRICT_KINDS + kind;
    return DEMO_DISTRICTS * DISTRICT_KINDS + (kind - DISTRICT_KINDS);
}

int demo_city_pick_leaf(const demo_city *c, demo_rng *r)
{
    double x = demo_uniform(r) * c->leaf_cdf[c->n_leaves - 1];
    int lo = 0, hi = c->n_leaves - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (c->leaf_cdf[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

int demo_city_unit_for(const demo_city *c, int leaf, int district, demo_rng *r)
{
    const demo_category *cat = demo_leaf(c, leaf);
    int kind = cat->kind2 >= 0 && demo_chance(r, 0.2) ? cat->kind2 : cat->kind1;
    return unit_of_kind(kind, district);
}

bool demo_city_unit_handles(const demo_city *c, int unit, int leaf)
{
    const demo_category *cat = demo_leaf(c, leaf);
    int kind = c->units[unit].kind;
    return kind == cat->kind1 || kind == cat->kind2;
}

bool demo_city_leaf_local(const demo_city *c, int leaf)
{
    const demo_category *cat = demo_leaf(c, leaf);
    return cat->kind1 < DISTRICT_KINDS && cat->kind2 < DISTRICT_KINDS;
}

/* ---- storing ---- */

static int store_tree(rd_db *db, const void *in, void *out)
{
    const demo_city *c = in;
    for (size_t i = 0; i < c->n_cats; i++) {
        const demo_category *k = &c->cats[i];
        int r = store_category_upsert(db, k->code, k->name, k->parent, k->policy);
        if (r < 0)
            return r;
    }
    return 0;
}

static int store_names(rd_db *db, const void *in, void *out)
{
    const demo_city *c = in;
    int r = 0;
    for (int i = 0; r == 0 && i < c->n_units; i++)
        r = store_org_name_upsert(db, "unit", c->units[i].code, c->units[i].name, NULL);
    for (int i = 0; r == 0 && i < c->n_teams; i++)
        r = store_org_name_upsert(db, "team", c->teams[i].code, c->teams[i].name,
                                  c->units[c->teams[i].unit].code);
    for (int i = 0; r == 0 && i < c->n_handlers; i++)
        r = store_org_name_upsert(db, "handler", c->handlers[i].code, c->handlers[i].name,
                                  c->teams[c->handlers[i].team].code);
    return r;
}

static int store_unit_targets(rd_db *db, const void *in, void *out)
{
    const demo_city *c = in;
    int r = 0;
    for (int i = 0; r == 0 && i < c->n_units; i++)
        r = store_target_upsert(db, "unit", c->units[i].code, "", c->units[i].target, "demo");
    return r;
}

int demo_city_store(rd_db *db, const demo_city *c)
{
    rd_tx tree_tx = {.body = store_tree, .in = c}, names = {.body = store_names, .in = c},
          targets = {.body = store_unit_targets, .in = c};
    int r = rd_tx_run(NULL, &db, &tree_tx);
    if (r == 0)
        r = rd_tx_run(NULL, &db, &names);
    if (r == 0)
        r = rd_tx_run(NULL, &db, &targets);
    return r;
}
