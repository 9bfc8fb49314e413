using System;
using System.Collections.Concurrent;
using System.Threading;

namespace RunCloud.PowerShell.Http
{
    internal enum PipelineMessageKind { Verbose, Debug }
}
