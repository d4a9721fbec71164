#include "eval/instructions/ifeval_common.h"

#include "core/error.h"
#include "eval/instructions/kwargs.h"

namespace lfmb::eval::instructions {

Relation kw_relation(const InstructionInput& in, const char* key) {
  const std::string r = kw_str(in, key);
  if (r == "less than") return Relation::LessThan;
  if (r == "at least") return Relation::AtLeast;
  throw Error("instruction '" + in.id + "': kwarg '" + key + "' must be \"less than\" or \"at least\", not \"" + r +
              "\"");
}

}  // namespace lfmb::eval::instructions
