/* Which key role may call what: the route table's one rule (the README's Roles). */
#include "repeatd/domain.h"

#include "rd_test.h"

#include <check.h>

static const struct role_case {
    rd_role have, needed;
    bool allowed;
} cases[] = {
    /* clang-format off */
    {RD_ROLE_CRM,       RD_ROLE_CRM,       true},
    {RD_ROLE_CRM,       RD_ROLE_DASHBOARD, false},
    {RD_ROLE_CRM,       RD_ROLE_MANAGER,   false},
    {RD_ROLE_CRM,       RD_ROLE_ADMIN,     false},
    {RD_ROLE_DASHBOARD, RD_ROLE_CRM,       false},
    {RD_ROLE_DASHBOARD, RD_ROLE_DASHBOARD, true},
    {RD_ROLE_DASHBOARD, RD_ROLE_MANAGER,   false}, /* dashboards read, never write */
    {RD_ROLE_DASHBOARD, RD_ROLE_ADMIN,     false},
    {RD_ROLE_MANAGER,   RD_ROLE_CRM,       false}, /* no ticket intake, no caller history */
    {RD_ROLE_MANAGER,   RD_ROLE_DASHBOARD, true},  /* every dashboard read */
    {RD_ROLE_MANAGER,   RD_ROLE_MANAGER,   true},
    {RD_ROLE_MANAGER,   RD_ROLE_ADMIN,     false}, /* no settings, categories or keys */
    {RD_ROLE_ADMIN,     RD_ROLE_CRM,       true},
    {RD_ROLE_ADMIN,     RD_ROLE_DASHBOARD, true},
    {RD_ROLE_ADMIN,     RD_ROLE_MANAGER,   true},
    {RD_ROLE_ADMIN,     RD_ROLE_ADMIN,     true},
    /* clang-format on */
};

START_TEST(role_allows)
{
    const struct role_case *c = &cases[_i];
    ck_assert_msg(rd_role_allows(c->have, c->needed) == c->allowed, "%s on %s: want %s",
                  rd_role_name(c->have), rd_role_name(c->needed), c->allowed ? "yes" : "no");
}
END_TEST

START_TEST(role_names_round_trip)
{
    static const char *const names[] = {"crm", "dashboard", "manager", "admin"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        rd_role r;
        ck_assert_int_eq(rd_role_parse(names[i], &r), 0);
        ck_assert_str_eq(rd_role_name(r), names[i]);
    }
    rd_role r;
    ck_assert_int_lt(rd_role_parse("Manager", &r), 0);
    ck_assert_int_lt(rd_role_parse("", &r), 0);
}
END_TEST

static Suite *roles_suite(void)
{
    Suite *s = suite_create("roles");
    TCase *tc = tcase_create("roles");
    tcase_add_loop_test(tc, role_allows, 0, (int)(sizeof(cases) / sizeof(cases[0])));
    tcase_add_test(tc, role_names_round_trip);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return rd_test_run(roles_suite(), true);
}
