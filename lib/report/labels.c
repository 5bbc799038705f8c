/*
 * lib/report/labels.c -- the fixed texts that every format prints alike.
 *
 * Design.  The column headings of the four tables (评分情况表, 绩效目标完成
 * 清单, 问题清单, findings) and the 完成情况 labels live in one place so
 * that every renderer names a column the same way; a renderer reads them,
 * nothing here calls back.  A leaf of the library, like buf.c.
 */
#define JX_REPORT_INTERNAL
#include "report.h"

/* 报告得分: what the unit reported; 核定得分: what the rules give (扣分 is
 * the weight less 核定得分) */
const char *const jr_score_columns[JR_SCORE_COLUMNS] = {
    "序号", "一级指标", "二级指标", "三级指标", "分值", "评分情况", "报告得分", "核定得分", "扣分"};
const char *const jr_na_score = "不适用";
const char *const jr_na_deduction = "—";

const char *const jr_goal_columns[JR_GOAL_COLUMNS] = {
    "序号", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "完成情况", "偏差原因"};
const char *const jr_problem_columns[JR_PROBLEM_COLUMNS] = {
    "问题分类", "序号", "责任部门（单位）", "问题描述", "整改建议", "备注"};
const char *const jr_finding_columns[JR_FINDING_COLUMNS] = {
    "序号", "严重程度", "代码", "位置", "涉及指标", "说明"};

const char *jr_met_label(int met)
{
    return met == JR_MET_NA ? "不适用" : met > 0 ? "达成" : met == 0 ? "未达成" : "待判断";
}
