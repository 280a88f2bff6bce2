// A front end reaching past queries into the engine: must not compile.
#include "smorg/engine/community/communities.h"

int probe() { return 0; }
