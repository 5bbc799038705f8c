#!/bin/sh
# make_corpus.sh [SHARED_DIR]: regenerates the seed corpora under corpus/
# from the shared fixtures (documents and parse.json texts) plus hostile
# inputs.  The result is committed; run.sh fuzzes a copy of it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
SHARED=${1:-${JX_SHARED:-$here/../../../shared}}
doc=$here/corpus/fuzz_document
par=$here/corpus/fuzz_parse
mkdir -p "$doc" "$par"

# fixture documents, compact and pretty
for f in "$SHARED"/fixtures/[0-9][0-9][0-9]-*.json; do
    n=$(basename "$f" .json)
    jq -c '.document' "$f" > "$doc/fixture-$n.json"
done
first=$(ls "$SHARED"/fixtures/000-*.json | head -n 1)
jq '.document' "$first" > "$doc/fixture-pretty.json"

# the §4 and §7 examples of scoring.md
cat > "$doc/spec-department-wide.json" <<'J'
{"scope":"department_wide","framework":"department-wide-2013","org":"赫山区医疗保障事务中心","year":2021,"figures":{"staff_in_post":30,"authorised_posts":32,"three_public_budget":"10万元","satisfaction":"95%"},"indicators":[{"name":"绩效目标合理性","actual":[0,1,2],"reported_score":2},{"name":"支付进度率","actual":["年终进度","季度进度"],"reported_score":2},{"name":"完成及时率","actual":4,"reported_score":4},{"name":"社会效益","actual":"达成","reported_score":5},{"name":"在职人员控制率","reported_score":5}],"reported":{"total":95}}
J
cat > "$doc/spec-project.json" <<'J'
{"scope":"project","framework":"project-2020","name":"医疗保障基金安全监管","org":"宿州市医疗保障局","year":2022,"budget":{"initial":"90万元","cuts":"3.34万元","additions":null,"adjusted":"86.66万元","executed":"73.62万元","balance":null,"reported_execution_rate":null,"breakdown":[{"item":"办公费","amount":"1.65万元"}]},"indicators":[{"level1":"产出指标","level2":"成本指标","name":"项目总成本","weight":10,"target":"≤90万元","actual":"73.63万元","reported_score":8.51,"deviation_reason":""}],"figures":{},"reported":{"total":97,"grade":null,"execution_score":null}}
J
cat > "$doc/rules-inline-framework.json" <<'J'
{"scope":"project","name":"x","org":"y","year":2021,"framework":{"id":"p","name":"p","scope":"project","execution_weight":0,"categories":[{"level1":"投入指标","aliases":["投入"],"weight":30,"level2":["项目立项"]},{"level1":"过程指标","weight":30,"level2":["资金管理"]},{"level1":"产出与效益指标","weight":40,"level2":["项目产出"]}],"default_rule":{"kind":"step","per":10,"deduct":1,"basis":"relative"},"qualitative_bands":[0.8,0.5],"indicators":[]},"indicators":[{"level1":"投入","level2":"项目立项","name":"a","weight":30,"target":"100%","actual":"75%","reported_score":28},{"level1":"过程指标","level2":"资金管理","name":"b","weight":30,"target":"达成","actual":"部分达成","reported_score":20,"rule":{"kind":"bands"}},{"level1":"产出与效益指标","level2":"项目产出","name":"c","weight":10,"actual":[0,"有效执行"],"rule":{"kind":"checklist","items":[{"name":"制度健全","points":1},{"name":"有效执行","points":0.5}],"cap":1}},{"level1":"产出与效益指标","level2":"项目产出","name":"d","weight":10,"actual":3,"rule":{"kind":"quarters","each":1}},{"level1":"产出与效益指标","level2":"项目产出","name":"e","weight":10,"target":"优","actual":"良","rule":{"kind":"levels","levels":{"优":1,"良":0.8,"中":0.6,"差":0}}},{"level1":"产出与效益指标","level2":"项目产出","name":"f","weight":10,"target":{"op":">=","value":95,"unit":"%"},"actual":90,"rule":{"kind":"step","per":1,"deduct":0.5,"rounding":"ceil","reference":0.8}}],"budget":{"initial":"100","cuts":"10","additions":"5","adjusted":"95","executed":"96","balance":"-1","sources":[{"source":"一般公共预算","initial":"100","adjusted":"95","executed":"96"}]},"reported":{"total":90,"grade":"优","execution_score":0}}
J

# hostile documents
printf '' > "$doc/hostile-empty"
printf '\0\0\0\0' > "$doc/hostile-nul"
printf '{"scope"\0:"project"}' > "$doc/hostile-nul-inside"
printf '{"scope":"project","name":"\377\376\303\050"}' > "$doc/hostile-bad-utf8"
python3 -c 'import sys; sys.stdout.write("{\"scope\":" + "["*5000 + "]"*5000 + "}")' > "$doc/hostile-deep-arrays"
python3 -c 'import sys; sys.stdout.write("{\"a\":"*3000 + "1" + "}"*3000)' > "$doc/hostile-deep-objects"
printf '{"scope":"project","framework":"project-2020","name":"x","indicators":[{"level1":"产出指标","level2":"数量指标","name":"x","weight":1e308,"target":123456789012345678901234567890,"actual":-1e308,"reported_score":9223372036854775807}],"reported":{"total":1e-300}}' > "$doc/hostile-huge-numbers"
printf '{"scope":"project","framework":"project-2020","name":"x","budget":{"initial":"99999999999999999999万元","adjusted":"92233720368547758.07","executed":"0.001"},"indicators":[]}' > "$doc/hostile-huge-amounts"
printf '{"scope":"project","framework":"project-2020","name":"x","indicators":[{"level1":"产出指标","level2":"数量指标","name":"x","weight":10,"target":"≥0次","actual":"0次"},{"level1":"产出指标","level2":"数量指标","name":"y","weight":10,"target":"0%%","actual":"5%%","rule":{"kind":"ratio","reverse":"linear"}}]}' > "$doc/hostile-zero-targets"
printf '{"scope":"department_wide","framework":"department-wide-2013","figures":{"staff_in_post":1,"authorised_posts":0,"carryover_last":"0","budget":"0"},"indicators":[]}' > "$doc/hostile-zero-divisors"
printf '{"scope":"project","framework":"project-2020","name":"x","indicators":[{"level1":"产出指标","level2":"数量指标","name":"x","weight":10,"target":"\\u0000≥3次","actual":"3\\u0000次"}]}' > "$doc/hostile-escaped-nul"
printf '{"scpoe":1,"indicators":{},"framework":"nope"' > "$doc/hostile-truncated"

# scoring.md §8: rules as text, 不适用, no weights, own indicators, a negative balance
jq -c . "$here/../../scripts/example-rules-text.json" > "$doc/s8-example-rules-text.json"
cat > "$doc/s8-wide-own-na.json" <<'J'
{"scope":"department_wide","figures":{"staff_in_post":30,"authorised_posts":32,"carryover":118,"carryover_last":100},"indicators":[{"name":"生态效益","not_applicable":true,"deviation_reason":"不涉及"},{"name":"经济效益","not_applicable":true},{"level1":"部门整体绩效指标","name":"培训人次","weight":10,"target":"≥100人次","actual":"80人次","rule":"按完成比例计分","reported_score":8},{"name":"在职人员控制率","reported_score":6}],"reported":{"total":60,"grade":"中"}}
J
cat > "$doc/s8-own-indicators-framework.json" <<'J'
{"scope":"department_wide","framework":{"id":"wide-own","scope":"department_wide","execution_weight":0,"categories":[{"level1":"投入","weight":90,"level2":["预算配置"]}],"own_indicators":{"level1":"部门整体绩效指标","weight":10},"indicators":[{"level1":"投入","level2":"预算配置","name":"在职人员控制率","weight":90,"formula":"staff_in_post / authorised_posts","target":"≤100%","rule":"每超过1个百分点扣0.5分"}]},"figures":{"staff_in_post":33,"authorised_posts":32},"indicators":[{"name":"培训人次","weight":10,"target":"≥100人次","actual":"全覆盖","rule":{"kind":"scaled"}}]}
J
cat > "$doc/s8-partial-weights-negative-balance.json" <<'J'
{"scope":"project","budget":{"adjusted":"10万元","executed":"10.5万元","balance":"-0.5万元"},"indicators":[{"level1":"产出指标","level2":"数量指标","name":"a","weight":10,"target":"≥5次","actual":"4次","rule":"少10%扣1分，扣完为止"},{"level1":"产出指标","level2":"质量指标","name":"b","target":"100%","actual":"99%","rule":"为100%的计2分，每低于1个百分点扣0.5分"},{"level1":"效益指标","level2":"社会效益指标","name":"c","target":"达成","actual":"达成","reported_score":31,"not_applicable":false}]}
J

# parse texts: every text of parse.json, then more
i=0
jq -r '.cases[].text' "$SHARED/fixtures/parse.json" | while IFS= read -r t; do
    i=$((i + 1))
    printf '%s' "$t" > "$par/parse-$(printf '%03d' $i)"
done
n=0
for t in '≥30次' '≤90万元' '100%' '显著提高' '达成' '部分达成年度指标并具有一定效果' \
         '不超过5个工作日' '5.45万人次' '1,234.5万元' '782,957.64' '１２３４．５６％' \
         '≥ 90%' '90%以上' '10次以内' '0.5百分点' '2千元' '1.5亿元' '≤90万' '达100%' \
         '大于等于1次' '不低于三十次' '≥1e5' '0.001元' '-5万元' '999999999999999999999' \
         '92233720368547758.07' '92233720368547758.08' '≥≥≥' '万万万元' '1.2.3' '以上以下' \
         '＞＝' '３万人' '≤9223372036854775807次' '0.0000000000000000001%'; do
    n=$((n + 1))
    printf '%s' "$t" > "$par/extra-$(printf '%03d' $n)"
done
printf '\377\376' > "$par/hostile-bad-utf8"
printf '\342\211' > "$par/hostile-truncated-utf8"
printf '≥3\0次' > "$par/hostile-nul"
python3 -c 'import sys; sys.stdout.write("9"*5000 + "万元")' > "$par/hostile-long-number"
python3 -c 'import sys; sys.stdout.write("≥" * 2000)' > "$par/hostile-many-operators"

# the rule-text reader (fuzz_ruletext): the §8 forms and near misses
rt=$here/corpus/fuzz_ruletext
mkdir -p "$rt"
n=0
for t in '少10%扣1分，扣完为止' '每少1个百分点扣0.5分' '多10%扣1分' '完成得满分，未完成不得分' \
         '按完成比例计分' '为100%的计2分，每低于1个百分点扣0.5分' '80%以上得满分，少10%扣1分' \
         '每降低10%扣1分' '每超过5个百分点扣1分' '每超出10%扣1分' '达到得满分，否则不得分' \
         '按比例得分' '未达到按完成比例计分' '少 １０％ 扣 １ 分。' \
         '完成率达到80%及以上的得满分；每低1个百分点扣0.2分，扣完为止' '酌情扣分' '少10%扣0.001分' \
         '每少99999999999999%扣1分' '为100%的计2分' '，，，'; do
    n=$((n + 1))
    printf '%s' "$t" > "$rt/seed-$(printf '%03d' $n)"
done

# the server's request parsers (fuzz_project, fuzz_bodies, fuzz_import,
# fuzz_query): fixtures, the API tests' bodies and hostile requests
/usr/bin/python3 "$here/make_server_corpus.py" "$SHARED" "$here/corpus"
echo "corpus: $(ls "$doc" | wc -l) documents, $(ls "$par" | wc -l) parse texts, $(ls "$rt" | wc -l) rule texts"
for t in fuzz_project fuzz_bodies fuzz_import fuzz_query; do
    echo "corpus: $(ls "$here/corpus/$t" | wc -l) $t seeds"
done
