/* The demo city's improvement loop: two programmes for units the ranking put at the bottom
 * (one closed after its months, one still open with its check-ins), and most green-channel
 * chains assigned to named specialists with a verification or two, so that every screen of the
 * loop has something to show. Everything goes through the use cases of app/ under the key name
 * "demo", audited as a manager's writes are. */
#include "loop.h"

#include "rng.h"
#include "simulate.h"

#include "repeatd/json_spec.h"
#include "repeatd/months.h"
#include "repeatd/programmes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400
#define WHO "demo"

static const char *const specialists[] = {"周敏（绿色通道专员）", "吴涛（绿色通道专员）",
                                          "郑丽（绿色通道专员）"};

static int64_t month_start(int month)
{
    return rd_days_from_civil(month / 12, month % 12 + 1, 1) * DAY - SIM_TZ_OFFSET;
}

static void time_text(int64_t t, char out[RD_TIME_TEXT_MAX])
{
    rd_time_format(t, SIM_TZ_OFFSET, out);
}

static void report(int r, const char *what, const rd_refusal *ref)
{
    if (r == -ECANCELED)
        fprintf(stderr, "repeatd-demo: %s refused: %s\n", what, ref->message);
}

/* The first unit on the watch in month m that has no open programme, or NULL. */
static int watch_unit(rd_service *svc, rd_db **db, int m, char out[RD_ID_MAX])
{
    rd_kpi_query q = {.period = RD_PERIOD_MONTH,
                      .has_from = true,
                      .has_to = true,
                      .from = m,
                      .to = m,
                      .has_by = true,
                      .by = RD_DIM_UNIT};
    rd_kpi_answer a = {0};
    rd_refusal ref;
    int r = rd_kpi_ranking(svc, db, &q, &a, &ref);
    if (r < 0)
        return r;
    int found = 0;
    for (size_t i = 0; !found && i < a.n_items; i++) {
        const rd_kpi_item *it = &a.items[i];
        if (!it->rank.watch)
            continue;
        rd_programme_list l = {0};
        r = rd_programmes_list(svc, db, "open", -1, &l, &ref);
        bool taken = false;
        for (size_t k = 0; r == 0 && k < l.n; k++)
            taken |= !strcmp(l.items[k].p.code, it->row->key);
        rd_programme_list_clear(&l);
        if (r < 0)
            break;
        if (!taken) {
            snprintf(out, RD_ID_MAX, "%s", it->row->key);
            found = 1;
        }
    }
    rd_kpi_answer_free(&a);
    return r < 0 ? r : found;
}

/* A programme for the bottom unit of month `flagged`, opened early the month after, checked in
 * on every `every` days up to `until` (one late check-in skipped to show a gap); closed at
 * `close_at` when not 0. */
static int programme(rd_service *svc, rd_db **db, int flagged, int every, int64_t until,
                     int64_t close_at, demo_rng *rng, rd_demo_summary *s)
{
    char unit[RD_ID_MAX], text[RD_TIME_TEXT_MAX];
    int r = watch_unit(svc, db, flagged, unit);
    if (r <= 0)
        return r;
    int64_t opened = month_start(flagged + 1) + 2 * DAY + 9 * 3600;
    time_text(opened, text);
    json_t *body =
        json_pack("{s:s, s:s, s:s, s:s, s:i, s:s}", "scope", "unit", "code", unit, "responsible",
                  "质量管理科 刘明", "measures",
                  "重复投诉逐单复盘；首次联系当日完成；办结前电话回访确认；每周通报整改进度",
                  "checkin_interval_days", every, "opened_at", text);
    rd_programme_detail d = {0};
    rd_refusal ref;
    r = body ? rd_programme_create(svc, db, body, WHO, &d, &ref) : -ENOMEM;
    json_decref(body);
    report(r, "a programme", &ref);
    if (r < 0)
        return r;
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)d.v.p.id);
    rd_programme_detail_clear(&d);
    s->programmes++;
    static const char *const notes[] = {
        "已召开整改会，梳理上月重复投诉工单，明确责任人。",
        "抽查回访记录，首次联系及时率明显提升。",
        "两件重复投诉源于办结记录不完整，已要求补录处理过程。",
        "本周重复投诉下降，继续跟踪夜间施工类诉求。",
    };
    static const char *const statuses[] = {"at_risk", "on_track", "at_risk", "on_track"};
    int k = 0;
    for (int64_t t = opened + (int64_t)every * DAY; t <= until; t += (int64_t)every * DAY, k++) {
        if (demo_below(rng, 6) == 0)
            continue; /* a missed check-in */
        time_text(t, text);
        body = json_pack("{s:s, s:s, s:s}", "at", text, "status", statuses[k % 4], "notes",
                         notes[k % 4]);
        r = body ? rd_programme_checkin(svc, db, id, body, WHO, &d, &ref) : -ENOMEM;
        json_decref(body);
        report(r, "a check-in", &ref);
        rd_programme_detail_clear(&d);
        if (r < 0)
            return r;
        s->checkins++;
    }
    if (!close_at)
        return 0;
    time_text(close_at, text);
    body = json_pack("{s:s, s:s, s:s}", "status", "closed", "at", text, "note",
                     "排名已连续退出末位，专项结束，转入常态化管理。");
    r = body ? rd_programme_set_status(svc, db, id, body, WHO, &d, &ref) : -ENOMEM;
    json_decref(body);
    report(r, "closing a programme", &ref);
    rd_programme_detail_clear(&d);
    return r;
}

/* Two of three chains get a specialist the day after their newest repeat; most of those a
 * verification two days later, some a second. */
static int green(rd_service *svc, rd_db **db, int64_t end, demo_rng *rng, rd_demo_summary *s)
{
    rd_green_worklist w = {0};
    rd_refusal ref;
    int r = rd_green_worklist_get(svc, db, RD_GREEN_WORKLIST_MAX, false, &w, &ref);
    for (size_t i = 0; r == 0 && i < w.n_chains; i++) {
        const rd_green_chain *c = &w.chains[i];
        if (demo_below(rng, 3) == 0)
            continue;
        int64_t t = c->latest_received_us / 1000000 + DAY;
        if (t > end)
            t = end;
        char text[RD_TIME_TEXT_MAX];
        time_text(t, text);
        json_t *body = json_pack("{s:s, s:s}", "specialist", specialists[demo_below(rng, 3)],
                                 "assigned_at", text);
        rd_green_chain_detail d = {0};
        r = body ? rd_green_assign(svc, db, c->chain_id, body, WHO, &d, &ref) : -ENOMEM;
        json_decref(body);
        report(r, "an assignment", &ref);
        rd_green_chain_detail_clear(&d);
        if (r < 0)
            break;
        s->chains_assigned++;
        int n = demo_below(rng, 3);
        for (int v = 0; r == 0 && v < n && t + 2 * DAY <= end; v++) {
            t += 2 * DAY;
            time_text(t, text);
            bool solved = v == n - 1 && demo_below(rng, 2);
            body = json_pack("{s:s, s:s, s:b}", "at", text, "found",
                             solved ? "电话回访市民，问题已解决，市民表示满意。"
                                    : "现场核查：问题仍存在，已督促承办单位三日内处理。",
                             "solved", solved);
            r = body ? rd_green_verify(svc, db, c->chain_id, body, WHO, &d, &ref) : -ENOMEM;
            json_decref(body);
            report(r, "a verification", &ref);
            rd_green_chain_detail_clear(&d);
            s->verifications += r == 0;
        }
    }
    rd_green_worklist_clear(&w);
    return r;
}

int demo_loop(rd_service *svc, rd_db **db, int end_month, int64_t end, uint64_t seed,
              rd_demo_summary *s)
{
    demo_rng rng = demo_rng_make(seed, 0x6c6f6f70u);
    /* One from half a year ago, closed two months ago; one from last quarter, still open. */
    int r = programme(svc, db, end_month - 7, 7, month_start(end_month - 2),
                      month_start(end_month - 2) + 5 * DAY, &rng, s);
    if (r == 0)
        r = programme(svc, db, end_month - 3, 7, end - 3 * DAY, 0, &rng, s);
    return r < 0 ? r : green(svc, db, end, &rng, s);
}
