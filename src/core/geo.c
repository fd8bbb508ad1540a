/* Distances between ticket locations: haversine on a spherical Earth. */
#include "repeatd/decide.h"

#include <math.h>

#define EARTH_MEAN_RADIUS_M 6371008.8 /* IUGG mean radius; error < 0.5% at city scale */
#define DEG_TO_RAD          (3.14159265358979323846 / 180.0)

double rd_distance_m(double lat1, double lon1, double lat2, double lon2)
{
    double p1 = lat1 * DEG_TO_RAD, p2 = lat2 * DEG_TO_RAD;
    double dp = (lat2 - lat1) * DEG_TO_RAD, dl = (lon2 - lon1) * DEG_TO_RAD;
    double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);

    /* Rounding can push a just past 1 for antipodal points; asin would return NaN. */
    if (a > 1.0)
        a = 1.0;
    return 2.0 * EARTH_MEAN_RADIUS_M * asin(sqrt(a));
}

/* "Farther apart than" the radius: exactly at the radius is still the same place. */
bool rd_different_place(double lat1, double lon1, double lat2, double lon2, int radius_m)
{
    return rd_distance_m(lat1, lon1, lat2, lon2) > (double)radius_m;
}

/* Every point within radius_m of (lat, lon) lies in the box: latitude within the angle d =
 * radius / R, longitude within asin(sin d / cos lat) (the widest a circle of angle d gets),
 * or anywhere when the circle reaches a pole. A margin covers the 7 decimals coordinates are
 * stored with. */
void rd_same_place_box(double lat, double lon, int radius_m, rd_box *ret)
{
    const double margin = 1e-6;
    double d = (double)radius_m / EARTH_MEAN_RADIUS_M;
    double dlat = d / DEG_TO_RAD + margin;
    ret->lat_min = lat - dlat;
    ret->lat_max = lat + dlat;
    double c = cos(lat * DEG_TO_RAD);
    if (fabs(lat) + dlat >= 90.0 || sin(d) >= c) {
        ret->lon_min = -180.0 - margin;
        ret->lon_max = 180.0 + margin;
        return;
    }
    double dlon = asin(sin(d) / c) / DEG_TO_RAD + margin;
    ret->lon_min = lon - dlon;
    ret->lon_max = lon + dlon;
    if (ret->lon_min < -180.0 || ret->lon_max > 180.0) { /* across the antimeridian: no box */
        ret->lon_min = -180.0 - margin;
        ret->lon_max = 180.0 + margin;
    }
}
