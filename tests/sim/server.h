/* SPDX-License-Identifier: MIT */
/* One listening port of the simulator. */
#ifndef G2D_SIM_SERVER_H
#define G2D_SIM_SERVER_H

#include "sim.h"

struct MHD_Daemon;

struct sim_listener {
    struct sim *sim;
    enum sim_side side;
    struct MHD_Daemon *daemon;
    unsigned port; /* the bound port, after start */
};

/* Listen on @p bind (an IPv4 or IPv6 literal) and @p port (0 = ephemeral). 0 or -errno. */
int sim_listener_start(struct sim_listener *l, const char *bind, unsigned port);
void sim_listener_stop(struct sim_listener *l);

#endif
