namespace Exp.Spec

open Exp.Spec.Yaml

/// One problem in a spec, located at `Source:Line:Column`; `Path` is the dotted key path.
type SpecError =
    { Source: string
      Line: int
      Column: int
      Path: string
      Message: string }

    override e.ToString() =
        let where = if e.Path = "" then "" else $"{e.Path}: "
        $"{e.Source}:{e.Line}:{e.Column}: {where}{e.Message}"

module SpecError =
    let at (position: Position) path message =
        { Source = position.Source
          Line = position.Line
          Column = position.Column
          Path = path
          Message = message }
