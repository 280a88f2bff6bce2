// A front end reaching past queries into the importers: must not compile.
#include "smorg/importers/database.h"

int probe() { return 0; }
