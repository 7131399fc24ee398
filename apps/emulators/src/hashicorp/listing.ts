/** Direct children of `folder` among `keys`: leaf names, and sub-folders ending with "/". */
export function childrenOf(keys: Iterable<string>, folder: string): string[] {
  const prefix = folder === "" || folder.endsWith("/") ? folder : `${folder}/`;
  const children = new Set<string>();
  for (const key of keys) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const slash = rest.indexOf("/");
    children.add(slash === -1 ? rest : rest.slice(0, slash + 1));
  }
  children.delete("");
  return [...children].sort();
}
