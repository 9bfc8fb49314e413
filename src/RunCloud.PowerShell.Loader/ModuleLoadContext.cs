using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace RunCloud.PowerShell.Loader
{
    /// <summary>
    /// The module's own load context. RunCloud.PowerShell.dll is loaded into it, and every assembly it (or a dependency)
    /// asks for is taken from the module's dependency folder (bin/) when it is there, before the default context is
    /// consulted. So the module always runs on the Newtonsoft.Json it was built and tested with, whatever version
    /// PowerShell itself or another module has put in the default context, and its copy never reaches theirs.
    /// Everything not in bin/ (System.*, System.Management.Automation) comes from the default context as usual,
    /// so the cmdlets and PowerShell share one engine.
    /// </summary>
    public sealed class ModuleLoadContext : AssemblyLoadContext
    {
        private static readonly object s_gate = new object();
        private static readonly Dictionary<string, ModuleLoadContext> s_instances = new Dictionary<string, ModuleLoadContext>(StringComparer.Ordinal);

        private readonly string _dependencyDirectory;
        private readonly string _mainAssemblyPath;
        private readonly string _mainAssemblyName;

        private ModuleLoadContext(string mainAssemblyPath, string dependencyDirectory)
            : base(Path.GetFileNameWithoutExtension(mainAssemblyPath), isCollectible: false)
        {
            _mainAssemblyPath = mainAssemblyPath;
            _mainAssemblyName = Path.GetFileNameWithoutExtension(mainAssemblyPath);
            _dependencyDirectory = dependencyDirectory;
            MainAssembly = LoadFromAssemblyPath(mainAssemblyPath);
        }

        /// <summary>RunCloud.PowerShell.dll, as loaded in this context: what the module's psm1 imports.</summary>
        public Assembly MainAssembly { get; }

        /// <summary>
        /// The one context of this process for that main assembly (a module's assemblies cannot be unloaded, and a
        /// second copy of the cmdlets would split the session state they share); a re-import gets the same assembly
        /// back. Each module that uses this loader (RunCloud.PowerShell, RunCloud.PowerShell.Emulator) gets a context
        /// of its own, named after its main assembly.
        /// </summary>
        public static Assembly Initialize(string mainAssemblyPath, string dependencyDirectory)
        {
            if (mainAssemblyPath == null) throw new ArgumentNullException(nameof(mainAssemblyPath));
            if (dependencyDirectory == null) throw new ArgumentNullException(nameof(dependencyDirectory));
            string main = Path.GetFullPath(mainAssemblyPath);
            lock (s_gate)
            {
                if (!s_instances.TryGetValue(main, out ModuleLoadContext? context))
                {
                    context = new ModuleLoadContext(main, Path.GetFullPath(dependencyDirectory));
                    s_instances.Add(main, context);
                }

                return context.MainAssembly;
            }
        }

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (string.Equals(assemblyName.Name, _mainAssemblyName, StringComparison.OrdinalIgnoreCase))
            {
                return MainAssembly;
            }

            string candidate = Path.Combine(_dependencyDirectory, assemblyName.Name + ".dll");
            return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
        }
    }
}
