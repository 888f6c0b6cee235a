"""Word lists for synthetic demo firms: trade names, business words, roads, people, phones.

Everything here is invented for demo data. Road names avoid words that are also names of
administrative divisions (和平, 朝阳, 中山, 新华, 惠民 …), so that the offline geocoder places the
generated addresses in the cluster's own county; tests/registry/test_demo.py checks every road
against every cluster.
"""

# --- trade names (字号) -------------------------------------------------------------------------
# Auspicious characters as Chinese firms use them; any first + second pair reads as a plausible
# trade name (锦绣, 恒丰, 盛源, 嘉禾 …).
TRADE_FIRST = "锦华恒盛嘉永金鑫宏鸿富瑞祥泰丰隆兴荣昌美新佳通宇汇信诚德益润"
TRADE_SECOND = "绣美丰源禾达泰华盛昌隆兴茂发利鑫辉宏业成祥瑞通豪康亿晟鼎"
TRADE_NAMES: list[str] = [a + b for a in TRADE_FIRST for b in TRADE_SECOND if a != b]
# A third character, used only to tell apart two firms that drew the same name.
TRADE_EXTRA = "华达源兴泰丰盛鑫昌隆顺和利发康宏"

# --- business words (行业用语), per chain stage: (Chinese, English, weight) ---------------------------
BUSINESS_WORDS: dict[str, list[tuple[str, str, int]]] = {
    "fiber": [("化纤", "Chemical Fibre", 5), ("新材料", "New Material", 3), ("纤维", "Fibre", 2)],
    "spinning": [
        ("纺织", "Textile", 4),
        ("棉纺", "Cotton Spinning", 3),
        ("纱业", "Yarn", 2),
        ("毛纺", "Wool Spinning", 1),
    ],
    "weaving": [
        ("纺织", "Textile", 5),
        ("织造", "Weaving", 3),
        ("面料", "Fabric", 2),
        ("丝绸", "Silk", 1),
        ("布业", "Fabric", 1),
    ],
    "knitting": [
        ("针织", "Knitting", 6),
        ("毛织", "Knitwear", 2),
        ("经编", "Warp Knitting", 1),
        ("袜业", "Hosiery", 1),
    ],
    "dyeing_finishing": [
        ("印染", "Dyeing & Printing", 5),
        ("染整", "Dyeing & Finishing", 3),
        ("漂染", "Bleaching & Dyeing", 1),
    ],
    "printing": [
        ("印花", "Printing", 4),
        ("数码印花", "Digital Printing", 2),
        ("印染", "Dyeing & Printing", 1),
    ],
    "accessories": [
        ("服装辅料", "Garment Accessories", 4),
        ("拉链", "Zipper", 2),
        ("纽扣", "Button", 2),
        ("织带", "Webbing", 2),
        ("商标", "Label", 1),
    ],
    "garment_making": [
        ("制衣", "Garment", 5),
        ("服饰", "Apparel", 5),
        ("服装", "Clothing", 4),
        ("时装", "Fashion", 1),
    ],
    "home_textiles": [
        ("家纺", "Home Textile", 5),
        ("家居用品", "Home Furnishing", 2),
        ("床上用品", "Bedding", 2),
        ("毛巾", "Towel", 1),
    ],
    "design": [
        ("服装设计", "Fashion Design", 4),
        ("设计", "Design", 3),
        ("创意设计", "Creative Design", 1),
    ],
    "brand": [("服饰", "Apparel", 4), ("品牌管理", "Brand Management", 2), ("时尚", "Fashion", 2)],
    "wholesale_market": [
        ("商贸", "Trading", 4),
        ("贸易", "Trading", 3),
        ("纺织品", "Textile Trading", 2),
    ],
    "ecommerce": [("电子商务", "E-commerce", 5), ("网络科技", "Internet Technology", 2)],
    "logistics": [
        ("物流", "Logistics", 5),
        ("供应链管理", "Supply Chain Management", 2),
        ("货运", "Freight", 1),
    ],
    "textile_machinery": [
        ("纺机", "Textile Machinery", 3),
        ("纺织机械", "Textile Machinery", 3),
        ("机械", "Machinery", 2),
    ],
}

# Stages whose firms make things in a workshop: only these are ever called 厂 (factory).
MANUFACTURING = {
    "fiber",
    "spinning",
    "weaving",
    "knitting",
    "dyeing_finishing",
    "printing",
    "accessories",
    "garment_making",
    "home_textiles",
    "textile_machinery",
}
# Stages where one-person shops (个体工商户) are common.
SHOP_STAGES = {
    "garment_making",
    "accessories",
    "wholesale_market",
    "ecommerce",
    "design",
    "home_textiles",
    "knitting",
}

# Legal forms: (name suffix, Enterprise.LegalForm value, USCC organisation type, English suffix).
LIMITED = ("有限公司", "limited", "1", "Co., Ltd.")
LIMITED_LIABILITY = ("有限责任公司", "limited", "1", "Co., Ltd.")
JOINT_STOCK = ("股份有限公司", "joint_stock", "1", "Co., Ltd.")
FACTORY = ("厂", "sole_proprietorship", "1", "Factory")
TRADING_DEPT = ("经营部", "individual", "2", "Trading Department")
TRADING_SHOP = ("商行", "individual", "2", "Trading Firm")
STUDIO = ("工作室", "individual", "2", "Studio")

# --- products ------------------------------------------------------------------------------------
# Where chain_stages.json lists kinds of venue rather than what a firm sells.
STAGE_PRODUCTS: dict[str, list[str]] = {
    "wholesale_market": [
        "面料批发",
        "服装批发",
        "辅料批发",
        "家纺批发",
        "纱线贸易",
        "档口批发",
        "外贸采购",
    ],
}
# Where the cluster's specialty narrows them.
CLUSTER_PRODUCTS: dict[str, dict[str, list[str]]] = {
    "humen": {"garment_making": ["女装", "连衣裙", "女式衬衫", "针织衫", "半身裙", "女式外套"]},
    "zhili": {
        "garment_making": ["童装", "儿童T恤", "儿童羽绒服", "童裤", "婴幼儿服装", "儿童卫衣"]
    },
    "datang": {
        "knitting": ["棉袜", "丝袜", "运动袜", "船袜", "连裤袜"],
        "garment_making": ["袜子", "连裤袜"],
    },
    "shengzhou": {
        "garment_making": ["真丝领带", "涤纶领带", "围巾", "领结"],
        "weaving": ["领带面料", "真丝提花面料"],
    },
    "chaozhou": {"garment_making": ["婚纱", "晚礼服", "伴娘服", "旗袍", "演出服"]},
    "dalang": {
        "knitting": ["羊毛衫", "针织毛衫", "毛织外套"],
        "garment_making": ["羊毛衫", "针织毛衫", "毛织开衫"],
    },
    "puyuan": {
        "knitting": ["羊毛衫", "羊绒衫", "针织开衫"],
        "garment_making": ["羊毛衫", "羊绒衫", "毛衫外套"],
    },
    "bixi": {"knitting": ["羊毛衫", "羊绒衫"], "garment_making": ["羊毛衫", "羊绒衫"]},
    "haiyang": {"knitting": ["羊毛衫", "针织毛衫"], "garment_making": ["羊毛衫", "针织毛衫"]},
    "xintang": {
        "garment_making": ["牛仔裤", "牛仔外套", "牛仔裙", "牛仔短裤"],
        "weaving": ["牛仔布", "弹力牛仔布"],
    },
    "dayong": {
        "garment_making": ["牛仔裤", "牛仔外套", "牛仔裙"],
        "dyeing_finishing": ["牛仔水洗", "成衣染色"],
    },
    "gaoyang": {
        "home_textiles": ["毛巾", "浴巾", "毛毯", "方巾", "沙滩巾"],
        "weaving": ["毛巾坯布", "毛圈织物"],
    },
    "dieshiqiao": {"home_textiles": ["床上四件套", "被芯", "枕芯", "床罩", "婴儿床品"]},
    "tongzhou": {"home_textiles": ["床上四件套", "被芯", "枕芯", "床罩", "蚕丝被"]},
    "qinghe": {
        "spinning": ["羊绒纱", "无毛绒", "羊绒针织纱"],
        "knitting": ["羊绒衫", "羊绒围巾"],
        "garment_making": ["羊绒衫", "羊绒围巾", "羊绒大衣"],
    },
    "gongqingcheng": {"garment_making": ["羽绒服", "羽绒马甲", "羽绒裤"]},
    "changshu": {"garment_making": ["羽绒服", "休闲服装", "羊绒大衣", "夹克"]},
    "pinghu": {"garment_making": ["羽绒服", "出口服装", "棉服", "风衣"]},
    "maozui": {"garment_making": ["女裤", "休闲女裤", "牛仔女裤", "打底裤"]},
    "erqi": {"garment_making": ["女裤", "女装", "休闲女裤", "连衣裙"]},
    "dachen": {"garment_making": ["衬衫", "男式衬衫", "女式衬衫", "校服衬衫"]},
    "hengcun": {
        "knitting": ["针织围巾", "针织帽", "针织手套"],
        "garment_making": ["针织围巾", "针织帽", "针织手套"],
    },
    "ningbo": {"garment_making": ["西装", "衬衫", "男装", "夹克", "针织服装"]},
    "wenzhou": {"garment_making": ["男装", "西装", "休闲装", "夹克"]},
    "jinjiang": {"garment_making": ["运动服", "泳装", "运动休闲服", "运动裤"]},
    "shishi": {"garment_making": ["休闲服装", "夹克", "休闲裤", "T恤"]},
    "shaxi": {"garment_making": ["休闲服装", "T恤", "休闲裤", "卫衣"]},
    "dalian": {"garment_making": ["西装", "羊绒大衣", "衬衫", "职业装"]},
    "haining": {
        "knitting": ["经编面料", "经编蕾丝", "经编沙发布"],
        "garment_making": ["皮革服装", "皮草服装", "皮衣"],
    },
    "yiwu": {
        "knitting": ["袜子", "无缝内衣", "针织面料"],
        "garment_making": ["无缝内衣", "针织服装", "袜子"],
    },
    "jimo": {"garment_making": ["针织童装", "针织内衣", "T恤"]},
    "suiyang": {"garment_making": ["针织童装", "针织内衣", "保暖内衣"]},
    "zaozhuang": {"garment_making": ["文化衫", "广告衫", "T恤", "POLO衫"]},
    "xiangshan": {"garment_making": ["针织T恤", "针织服装", "POLO衫"]},
    "shengze": {"weaving": ["真丝绸缎", "化纤面料", "涤纶仿真丝面料", "雪纺面料"]},
    "changle": {"knitting": ["经编面料", "经编网眼布"], "spinning": ["化纤纱线", "涤纶纱"]},
    "haian": {"spinning": ["生丝", "绢丝", "棉纱"]},
    "lanxi": {"weaving": ["坯布", "棉布", "牛仔布"]},
    "qiaosi": {"garment_making": ["女装", "连衣裙", "针织衫"]},
    "tianmen": {"garment_making": ["女装", "男装", "童装", "T恤"]},
}

# --- certifications: chance a firm of this stage holds each one (for a small firm) ------------------
CERTIFICATION_ODDS: dict[str, list[tuple[str, float]]] = {
    "fiber": [
        ("iso9001", 0.45),
        ("iso14001", 0.25),
        ("oeko_tex_100", 0.3),
        ("grs", 0.25),
        ("rcs", 0.1),
        ("bluesign", 0.03),
    ],
    "spinning": [
        ("iso9001", 0.35),
        ("oeko_tex_100", 0.3),
        ("bci", 0.2),
        ("grs", 0.1),
        ("ocs", 0.05),
        ("gots", 0.03),
        ("rws", 0.03),
    ],
    "weaving": [
        ("iso9001", 0.3),
        ("oeko_tex_100", 0.35),
        ("grs", 0.1),
        ("gots", 0.03),
        ("bluesign", 0.02),
    ],
    "knitting": [("iso9001", 0.3), ("oeko_tex_100", 0.35), ("grs", 0.08), ("gots", 0.03)],
    "dyeing_finishing": [
        ("iso9001", 0.35),
        ("iso14001", 0.3),
        ("oeko_tex_100", 0.4),
        ("zdhc", 0.08),
        ("oeko_tex_step", 0.05),
        ("bluesign", 0.05),
        ("china_env_label", 0.05),
    ],
    "printing": [("iso9001", 0.3), ("iso14001", 0.15), ("oeko_tex_100", 0.3), ("zdhc", 0.05)],
    "accessories": [("iso9001", 0.3), ("oeko_tex_100", 0.25), ("grs", 0.05)],
    "garment_making": [
        ("iso9001", 0.25),
        ("bsci", 0.12),
        ("oeko_tex_100", 0.1),
        ("wrap", 0.04),
        ("sa8000", 0.03),
        ("csc9000t", 0.03),
        ("rds", 0.02),
        ("gots", 0.01),
    ],
    "home_textiles": [
        ("iso9001", 0.3),
        ("oeko_tex_100", 0.3),
        ("bsci", 0.08),
        ("china_green_product", 0.03),
        ("gots", 0.02),
    ],
    "textile_machinery": [("iso9001", 0.5), ("iso14001", 0.15), ("iso45001", 0.05)],
    "brand": [("iso9001", 0.1), ("csc9000t", 0.03)],
}
# Bigger firms hold more certificates.
CERTIFICATION_SIZE_FACTOR = {"micro": 0.3, "small": 1.0, "medium": 1.8, "large": 2.5}

# --- e-commerce ------------------------------------------------------------------------------------
DOMESTIC_CHANNELS = ["天猫", "京东", "抖音", "1688", "拼多多", "淘宝", "快手", "唯品会"]
CROSS_BORDER_CHANNELS = ["Amazon", "Shein", "速卖通", "TikTok Shop", "Temu"]

# --- addresses -------------------------------------------------------------------------------------
ROADS = [
    "工业大道",
    "兴业路",
    "创业路",
    "振兴路",
    "发展大道",
    "科技路",
    "纺织路",
    "锦绣路",
    "富民路",
    "幸福路",
    "团结路",
    "育才路",
    "滨河路",
    "迎宾大道",
    "环城路",
    "站前路",
    "府前路",
    "园区路",
    "商贸路",
    "市场路",
    "繁荣路",
    "长江路",
    "黄河路",
    "工业一路",
    "工业二路",
    "工业三路",
    "纬一路",
    "经二路",
    "金源路",
    "银河路",
    "恒通路",
    "宏图路",
    "腾飞路",
    "开元路",
    "丝绸路",
    "织造路",
    "物流大道",
    "世纪大道",
    "致富路",
    "和谐路",
    "康乐路",
    "华兴路",
    "富强路",
    "文明路",
    "民生路",
    "求实路",
    "创新大道",
    "朝晖路",
    "富春路",
    "迎春路",
    "春晖路",
    "锦华路",
    "金桥路",
]

# Long-distance area codes by prefecture (the demo phone numbers themselves are made up).
AREA_CODES = {
    "安庆市": "0556",
    "滨州市": "0543",
    "淄博市": "0533",
    "烟台市": "0535",
    "青岛市": "0532",
    "德州市": "0534",
    "枣庄市": "0632",
    "潮州市": "0768",
    "东莞市": "0769",
    "中山市": "0760",
    "广州市": "020",
    "佛山市": "0757",
    "苏州市": "0512",
    "南通市": "0513",
    "无锡市": "0510",
    "常州市": "0519",
    "九江市": "0792",
    "保定市": "0312",
    "邢台市": "0319",
    "郑州市": "0371",
    "商丘市": "0370",
    "南阳市": "0377",
    "驻马店市": "0396",
    "湖州市": "0572",
    "金华市": "0579",
    "绍兴市": "0575",
    "嘉兴市": "0573",
    "杭州市": "0571",
    "宁波市": "0574",
    "温州市": "0577",
    "仙桃市": "0728",
    "天门市": "0728",
    "福州市": "0591",
    "泉州市": "0595",
    "大连市": "0411",
}

# --- people ----------------------------------------------------------------------------------------
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程魏苏"
    "吕丁任沈姚卢钟姜崔谭陆范汪廖石金贾夏方邹熊白孟秦邱侯江尹薛段雷龙史陶贺顾龚邵万钱戴严莫孔汤"
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊洋艳勇军杰娟涛明超秀霞平刚桂英华玲建国志红兰凤春燕梅海波宁晓斌琳婷雪飞鹏辉"
)
