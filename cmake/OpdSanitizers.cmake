# OPD_SANITIZE applies ASan+UBSan to every target in the tree, so the
# sanitizer build exercises the same code the release build ships.
if(OPD_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
