// A front end's view of smorg: the queries layer. This compiles (the control for the others).
#include "smorg/queries/query_engine.h"
#include "smorg/queries/sample.h"

int probe() { return smorg::queries::RunContext().cancelled() ? 1 : 0; }
